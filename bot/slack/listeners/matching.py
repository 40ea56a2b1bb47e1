"""Naming a partner city's experts (button and modal), and marking a request matched."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain import answers
from bot.domain.answers import TEXT_MAX
from bot.slack import ids, views
from bot.slack.blocks import escape
from bot.slack.listeners.common import (
    modal_lang,
    naming_target,
    open_modal,
    request_target,
    show_context,
    user_of,
)
from bot.slack.listeners.guards import verify_origin
from bot.slack.search import people_counts
from bot.slack.services import Services
from bot.texts import t
from bot.usecases import matching, search

SUGGESTED = 5  # experts suggested in the naming modal


def register(app: App) -> None:
    app.action(ids.A_NAME_EXPERTS)(name_experts_clicked)
    app.view(ids.VIEW_NAME_EXPERTS)(name_experts_submitted)
    app.action(ids.A_MARK_MATCHED)(mark_matched_clicked)


def name_experts_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The naming modal first, then: may this person name this city's experts now?"""
    ack()
    user = user_of(body)
    target = naming_target(body)
    city_name = services.directory.city_name(target.city)
    lang = services.lang_of(user, cached=True)  # no database before views.open
    modal = views.name_experts_modal(target.request_id, target.city, city_name, lang)
    view_id = open_modal(services, client, context, body, modal)
    if view_id is not None:
        verify_origin(services, body, target.request_id)
        s = matching.check_namer(
            services.session_factory,
            target.request_id,
            target.city,
            user,
            services.context(),
            now=services.clock(),
        )
        lang = services.lang_of(user)
        # Who acted as expert on the topic for this city before: suggested first.
        before = search.experts_for_topic(
            services.session_factory, s.topic_key, city_key=target.city
        )[:SUGGESTED]
        suggestion = None
        if before:
            suggestion = t(
                lang,
                "modal.name.suggested",
                topic=escape(services.directory.topic_label(s.topic_key, lang)),
                city=escape(city_name),
                people=people_counts(before, lang),
            )
        modal = views.name_experts_modal(
            target.request_id,
            target.city,
            city_name,
            lang,
            request=s,
            directory=services.directory,
            suggestion=suggestion,
        )
        show_context(client, view_id, modal)


def name_experts_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, services: Services
) -> None:
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    state = view.get("state", {}).get("values")
    experts = list(dict.fromkeys(views.users_value(state, ids.B_EXPERTS)))
    note = views.text_value(state, ids.B_NOTE)[:TEXT_MAX] or None
    offer = views.text_value(state, ids.B_OFFER).strip()[: views.OFFER_MAX] or None
    bot_user = context.bot_user_id
    problem = answers.check_experts(experts, ids.B_EXPERTS, bot_user=bot_user)
    if problem:
        ack(response_action="errors", errors=views.form_errors([problem], lang))
        return
    # The experts' calendar files and later prompts are in their own language.
    services.learn_languages(experts)
    matching.name_experts(
        services.session_factory,
        views.metadata_id(meta, "id"),
        str(meta.get("city", "")),
        experts,
        actor=user,
        note=note,
        offer=offer,
        ctx=services.context(),
        now=services.clock(),
    )
    ack()


def mark_matched_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """A coordinator closes the naming by hand (e.g. experts found outside the bot)."""
    ack()
    target = request_target(body)
    verify_origin(services, body, target.request_id)
    matching.mark_matched(
        services.session_factory,
        target.request_id,
        actor=user_of(body),
        ctx=services.context(),
        now=services.clock(),
    )
