"""The reflection button and modal: how the exchange went, once it is over."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain import answers
from bot.slack import ids, views
from bot.slack.listeners.common import (
    modal_lang,
    open_modal,
    request_target,
    show_context,
    user_of,
)
from bot.slack.listeners.guards import verify_origin
from bot.slack.services import Services
from bot.usecases import reflection


def register(app: App) -> None:
    app.action(ids.A_REFLECT)(reflect_clicked)
    app.view(ids.VIEW_REFLECT)(reflection_submitted)


def reflect_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The modal first, then: did this person take part, is it over, not reflected yet?"""
    ack()
    user = user_of(body)
    target = request_target(body)
    lang = services.lang_of(user, cached=True)  # no database before views.open
    view_id = open_modal(
        services, client, context, body, views.reflection_modal(target.request_id, lang)
    )
    if view_id is not None:
        verify_origin(services, body, target.request_id)
        s = reflection.check_reflector(
            services.session_factory,
            target.request_id,
            user,
            ctx=services.context(),
            now=services.clock(),
        )
        lang = services.lang_of(user)
        modal = views.reflection_modal(
            target.request_id, lang, request=s, directory=services.directory
        )
        show_context(client, view_id, modal)


def reflection_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    state = view.get("state", {}).get("values")
    result = answers.check_reflection(
        rating=views.selected_value(state, ids.B_RATING),
        recommend=views.selected_value(state, ids.B_RECOMMEND),
        worked=views.text_value(state, ids.B_WORKED),
        not_worked=views.text_value(state, ids.B_NOT_WORKED),
        will_apply=views.text_value(state, ids.B_WILL_APPLY),
        share=views.selected_value(state, ids.B_SHARE),
    )
    if isinstance(result, list):
        ack(response_action="errors", errors=views.form_errors(result, lang))
        return
    reflection.submit_reflection(
        services.session_factory,
        views.metadata_id(meta, "id"),
        actor=user,
        worked=result.worked,
        not_worked=result.not_worked,
        recommend=result.recommend,
        rating=result.rating,
        will_apply=result.will_apply,
        share=result.share,
        ctx=services.context(),
        now=services.clock(),
    )
    ack()
