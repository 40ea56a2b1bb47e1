"""/cr-request, the global shortcut and the request modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.directory import Directory
from bot.domain.privacy import PrivacyNotice
from bot.domain.request import RawRequest, RequestDraft, validate
from bot.slack import ids, messages
from bot.slack.digest import digest_messages
from bot.slack.listeners import search as search_listener
from bot.slack.listeners.common import (
    modal_lang,
    open_modal,
    request_target,
    tell_privately,
    user_of,
)
from bot.slack.listeners.deputies import DEPUTY_WORDS, deputy_command
from bot.slack.listeners.directory import DIRECTORY_WORDS, directory_command
from bot.slack.listeners.guards import verify_origin
from bot.slack.listeners.report import REPORT_WORDS, report_command
from bot.slack.services import Services
from bot.slack.views import (
    cost_hint_of,
    form_errors,
    loading_modal,
    metadata_id,
    parse_metadata,
    raw_request,
    request_modal,
)
from bot.texts import t
from bot.usecases import decisions, digest, filing

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "hilfe", "?"}
LIST_WORDS = {"list", "liste"}
UPCOMING_WORDS = {"upcoming", "termine"}
NEW_WORDS = {"", "new", "neu"}


def register(app: App) -> None:
    app.command(ids.COMMAND)(request_command)
    app.shortcut(ids.SHORTCUT_NEW_REQUEST)(new_request_shortcut)
    app.action(ids.A_NEW_REQUEST)(new_request_clicked)
    app.view(ids.VIEW_REQUEST)(request_submitted)
    app.action(ids.A_FORM_CHANGED)(form_changed)
    app.action(ids.A_FILE_AGAIN)(file_again_clicked)


def request_command(
    ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    """`/cr-request [new|help|list|upcoming|report <year>|verzeichnis]`."""
    user = command["user_id"]
    words = (command.get("text") or "").split()
    word = words[0].lower() if words else ""
    if word in NEW_WORDS:
        # views.open first: the language from memory, no database or Slack call before it.
        lang = services.lang_of(user, cached=True)
        if not services.directory.is_usable:
            ack(**messages.plain_message(t(lang, "directory.empty")))
            return
        ack()
        open_request_modal(services, client, command["trigger_id"], user, lang, respond)
        return
    if not services.knows_language(user):
        # Someone new: their Slack locale first (a second at most), so even the first
        # answer is in their language.
        services.learn_languages([user], timeout=1.0)
    if word in DIRECTORY_WORDS:
        trigger, url = command["trigger_id"], command.get("response_url")
        directory_command(user, services, ack, client, trigger, url)
        return
    answer_command(word, words[1:], user, services, ack, respond, client=client)


def answer_command(
    word: str,
    args: list[str],
    user: str,
    services: Services,
    ack: Ack,
    respond: Respond,
    *,
    client: WebClient | None = None,
) -> None:
    """help, list, upcoming, report: short answers in the ack, long ones by the
    response_url after it (the report's chart, a file, by the Web API `client`)."""
    lang = services.lang_of(user)
    if word in HELP_WORDS:
        ack(**messages.help_message(lang, privacy=services.privacy()))
    elif word in LIST_WORDS:
        ack()
        summaries, total = filing.my_requests(services.session_factory, user)
        respond(
            response_type="ephemeral",
            **messages.request_list(summaries, services.directory, lang, total=total),
        )
    elif word in UPCOMING_WORDS:
        ack()
        today = services.clock().astimezone(services.settings.timezone).date()
        content = digest.build_digest(services.session_factory, today=today)
        for message in digest_messages(content, services.directory, lang):
            respond(response_type="ephemeral", **message)
    elif word in DEPUTY_WORDS:
        deputy_command(args, user, services, ack)
    elif word in REPORT_WORDS:
        report_command(args, user, lang, services, ack, respond, client)
    elif word in search_listener.SEARCH_WORDS:
        search_listener.search_command(args, user, lang, services, ack, respond)
    elif word in search_listener.EXPERT_WORDS:
        search_listener.experts_command(args, lang, services, ack)
    else:
        ack(**messages.help_message(lang, unknown=word, privacy=services.privacy()))


def new_request_shortcut(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Services
) -> None:
    user = user_of(body)
    lang = services.lang_of(user, cached=True)
    ack()
    if not services.directory.is_usable:
        client.chat_postMessage(channel=user, **messages.plain_message(t(lang, "directory.empty")))
        return
    open_request_modal(services, client, body["trigger_id"], user, lang, None)


def new_request_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """The "new request" button on the Home tab."""
    ack()
    user = user_of(body)
    lang = services.lang_of(user, cached=True)
    open_request_modal(services, client, body["trigger_id"], user, lang, None)


def request_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """The request form: a new request, or the edit of one (then `edit` is in the metadata)."""
    user = user_of(body)
    meta = parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    raw = raw_request(view.get("state", {}).get("values"))
    directory = services.refresh_directory()
    today = services.clock().astimezone(services.settings.timezone).date()
    result = validate(raw, directory, today=today, lang=lang)
    if not isinstance(result, RequestDraft):
        ack(response_action="errors", errors=form_errors(result, lang))
        return
    if meta.get("edit"):
        decisions.save_edit(
            services.session_factory,
            metadata_id(meta, "edit"),
            result,
            version=metadata_id(meta, "v") or None,
            actor=user,
            ctx=services.context(directory),
            now=services.clock(),
        )
        ack()
        return
    filing.file_request(
        services.session_factory,
        result,
        requester_id=user,
        locale=lang,
        submission_key=f"{(body.get('team') or {}).get('id') or ''}:{view.get('id') or ''}",
        ctx=services.context(directory),
        now=services.clock(),
    )
    ack()
    services.remember_city(user, result.own_city_key)


def file_again_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """*Erneut einreichen* after a decline or a lapse: "one moment" at once (views.open before
    any query), then the form prefilled with the old request, the dates left empty. Its
    submission files a new request; the old one stays as it was."""
    ack()
    user = user_of(body)
    target = request_target(body)
    loading = loading_modal(services.lang_of(user, cached=True))
    view_id = open_modal(services, client, context, body, loading)
    if view_id is None:
        return
    verify_origin(services, body, target.request_id)
    s = filing.fields_to_file_again(services.session_factory, target.request_id, user)
    prefill = RawRequest({**s.as_raw(), "date_from": None, "date_to": None})
    directory, lang = services.refresh_directory(), services.lang_of(user)
    form = request_modal(directory, lang, prefill=prefill, privacy=services.privacy())
    client.views_update(view_id=view_id, view=form)


def form_changed(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A field the cost suggestion depends on changed (cities, people, format, direction):
    the hint under the cost field follows. What was typed stays: same block and action ids,
    and the values as the person left them."""
    ack()
    view = body.get("view") or {}
    if view.get("callback_id") != ids.VIEW_REQUEST or not view.get("id"):
        return
    user = user_of(body)
    meta = parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    form = request_modal(
        services.refresh_directory(),
        lang,
        prefill=raw_request(view.get("state", {}).get("values")),
        edit_id=metadata_id(meta, "edit") or None,
        version=metadata_id(meta, "v") or None,
        privacy=services.privacy(),
    )
    if cost_hint_of(form) == cost_hint_of(view):
        return
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
    except (SlackApiError, OSError) as exc:
        # hash_conflict: the person changed the form meanwhile; their next change updates it.
        log.info("views.update of the cost suggestion skipped: %s", _reason(exc))


def open_request_modal(
    services: Services,
    client: WebClient,
    trigger_id: str,
    user: str,
    lang: str,
    respond: Respond | None,
) -> None:
    """views.open first (the trigger_id dies after 3 s), then prefill by views.update.

    Someone who opened the form before gets it prefilled at once, from memory.
    """
    directory = services.directory
    known, city = services.known_city(user)
    city = city if known and directory.city(city or "") else None
    try:
        opened = client.views_open(
            trigger_id=trigger_id, view=blank_form(directory, lang, city, services.privacy())
        )
    except SlackApiError as exc:
        log.warning("views.open failed for %s: %s", user, exc.response.get("error"))
        url = respond.response_url if respond is not None else None
        tell_privately(client, url, user, t(lang, "error.modal_failed"))
        return
    if not known:
        prefill_request_modal(services, client, opened["view"], user, lang)


# Blank forms as last built, by (language, own city, privacy line), with the directory they
# were built from: the same for everyone of a city until the directory changes (a new
# object). Shared read-only.
_FORMS: dict[tuple[str, str | None, PrivacyNotice], tuple[Directory, dict[str, Any]]] = {}
FORMS_KEPT = 256


def blank_form(
    directory: Directory, lang: str, city: str | None, privacy: PrivacyNotice
) -> dict[str, Any]:
    """The request form, empty but for the own city: built once, then from memory."""
    key = (lang, city, privacy)
    kept = _FORMS.get(key)
    if kept is not None and kept[0] is directory:
        return kept[1]
    prefill = RawRequest(own_city_key=city) if city else None
    view = request_modal(directory, lang, prefill=prefill, privacy=privacy)
    if len(_FORMS) >= FORMS_KEPT:
        _FORMS.clear()
    _FORMS[key] = (directory, view)
    return view


def prefill_request_modal(
    services: Services, client: WebClient, view: dict[str, Any], user: str, lang: str
) -> None:
    """Own city from the profile e-mail or the last request; language from the Slack locale."""
    email = None
    try:
        info = client.users_info(user=user, include_locale=True)["user"]
        email = info.get("profile", {}).get("email")
        lang_now = services.remember_language(user, info.get("locale"))
    except (SlackApiError, OSError) as exc:  # refused, or no answer in time: no prefill
        log.info("users.info for %s failed (%s); no prefill", user, _reason(exc))
        lang_now = lang
    directory = services.directory
    city = directory.city_for_email(email) or filing.last_city(services.session_factory, user)
    if directory.city(city or "") is None:
        city = None
    services.remember_city(user, city)
    if city is None and lang_now == lang:
        return
    try:
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=request_modal(
                directory,
                lang_now,
                prefill=RawRequest(own_city_key=city),
                privacy=services.privacy(),
            ),
        )
    except (SlackApiError, OSError) as exc:
        # hash_conflict: the person already changed the form; leave it as it is.
        log.info("views.update for prefill skipped: %s", _reason(exc))


def _reason(exc: Exception) -> object:
    return exc.response.get("error") if isinstance(exc, SlackApiError) else exc
