"""The day-45 question's buttons (yes / partly / not yet) and its one-line modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import ids, views
from bot.slack.listeners.common import (
    action_value,
    modal_lang,
    not_found,
    open_modal,
    show_context,
    user_of,
)
from bot.slack.listeners.guards import verify_origin
from bot.slack.reflections import follow_up_modal
from bot.slack.services import Services
from bot.texts import t
from bot.usecases import followup


def register(app: App) -> None:
    app.action(ids.A_FOLLOW_UP)(follow_up_clicked)
    app.view(ids.VIEW_FOLLOW_UP)(follow_up_submitted)


def follow_up_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The modal first (with the clicked answer chosen), then: the requester, not answered?"""
    ack()
    request_id, _, answer = (action_value(body) or "").partition(":")
    if not request_id.isdigit() or len(request_id) > 12 or answer not in followup.ANSWERS:
        raise not_found()
    user = user_of(body)
    lang = services.lang_of(user, cached=True)
    view_id = open_modal(
        services, client, context, body, follow_up_modal(int(request_id), answer, lang)
    )
    if view_id is not None:
        verify_origin(services, body, int(request_id))
        s = followup.check_answerer(services.session_factory, int(request_id), user)
        modal = follow_up_modal(
            int(request_id), answer, services.lang_of(user), request=s, directory=services.directory
        )
        show_context(client, view_id, modal)


def follow_up_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    state = view.get("state", {}).get("values")
    answer = views.selected_value(state, ids.B_FOLLOW_UP) or ""
    request_id = views.metadata_id(meta, "id")
    followup.answer_follow_up(
        services.session_factory,
        request_id,
        actor=user,
        answer=answer,
        note=views.text_value(state, ids.B_NOTE),
        now=services.clock(),
        ctx=services.context(),
    )
    text = t(lang, "followup.thanks", id=request_id, answer=t(lang, f"followup.{answer}"))
    ack(response_action="update", view=views.notice_modal(text, lang, "followup.modal.title"))
