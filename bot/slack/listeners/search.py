"""The network's memory: `/cr-request suche …`, `/cr-request expert/innen …`, the search
modal of the Home tab, and its "more" button."""

from __future__ import annotations

import html
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.search import find_topic, terms
from bot.slack import ids, views
from bot.slack.listeners.common import action_value, modal_lang, open_modal, user_of
from bot.slack.search import (
    SearchPage,
    experts_message,
    experts_usage,
    search_message,
    search_modal,
    search_usage,
)
from bot.slack.services import Services
from bot.texts import t
from bot.usecases import search

log = logging.getLogger(__name__)

SEARCH_WORDS = {"suche", "suchen", "search", "find", "finden"}
EXPERT_WORDS = {"expert/innen", "expertinnen", "experten", "experts", "expert", "expert*innen"}


def register(app: App) -> None:
    app.action(ids.A_SEARCH_OPEN)(search_opened)
    app.view(ids.VIEW_SEARCH)(search_submitted)
    app.action(ids.A_SEARCH_MORE)(more_clicked)


def search_command(
    args: list[str], user: str, lang: str, services: Services, ack: Ack, respond: Respond
) -> None:
    """`/cr-request suche BEGRIFF`: the first page of results, privately."""
    # The command's text comes escaped (`&amp;`, `&lt;`): searched as typed.
    query = html.unescape(" ".join(args))
    if not terms(query):
        ack(**search_usage(lang))
        return
    ack()
    found = search.search(services.session_factory, user, query, today=_today(services))
    respond(
        response_type="ephemeral",
        **search_message(found, services.refresh_directory(), lang),
    )


def experts_command(args: list[str], lang: str, services: Services, ack: Ack) -> None:
    """`/cr-request expert/innen THEMA`: who acted as expert on the topic, per city."""
    directory = services.refresh_directory()
    wanted = html.unescape(" ".join(args))
    topic = find_topic(directory, wanted)
    if topic is None:
        ack(**experts_usage(directory, lang, unknown=wanted or None))
        return
    experts = search.experts_for_topic(services.session_factory, topic.key)
    ack(**experts_message(topic.key, experts, directory, lang))


def search_opened(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The Home tab's search button: the modal at once (nothing read before it)."""
    ack()
    lang = services.lang_of(user_of(body), cached=True)
    open_modal(services, client, context, body, search_modal(lang))


def search_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """Search from the modal: the results replace the modal's lower part; the field stays."""
    user = user_of(body)
    lang = modal_lang(services, views.parse_metadata(view.get("private_metadata")), user)
    query = views.text_value(view.get("state", {}).get("values"), ids.B_SEARCH)
    if not terms(query):
        ack(response_action="errors", errors={ids.B_SEARCH: t(lang, "err.search_words")})
        return
    found = search.search(services.session_factory, user, query, today=_today(services))
    ack(response_action="update", view=search_modal(lang, found, services.directory))


def more_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    """The next page, in place: in the modal, or in the private message."""
    ack()
    page = SearchPage.parse(action_value(body))
    if page is None:
        return
    user = user_of(body)
    view = body.get("view")
    in_modal = isinstance(view, dict) and view.get("id")
    lang = (
        modal_lang(services, views.parse_metadata(view.get("private_metadata")), user)
        if isinstance(view, dict) and in_modal
        else services.lang_of(user)
    )
    found = search.search(
        services.session_factory, user, page.query, offset=page.offset, today=_today(services)
    )
    directory = services.refresh_directory()
    if isinstance(view, dict) and in_modal:
        try:
            client.views_update(
                view_id=view["id"], hash=view.get("hash"), view=search_modal(lang, found, directory)
            )
        except SlackApiError as exc:  # closed meanwhile, or changed: nothing to show it in
            log.info("views.update of the search skipped: %s", exc.response.get("error"))
        return
    respond(
        response_type="ephemeral", replace_original=True, **search_message(found, directory, lang)
    )


def _today(services: Services) -> date:
    """The day in the network's time zone: search shows each status as of it."""
    return services.clock().astimezone(services.settings.timezone).date()
