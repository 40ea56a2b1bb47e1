"""The directory in Slack, for coordinators: `/cr-request verzeichnis` (English
`directory`) and the Home tab's button open the overview; its buttons push the edit modal;
a submitted edit is checked and stored by the use case, then the overview is drawn again.

Every step checks on the server that the person is a coordinator (the directory as of now).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import directory_edits as e
from bot.domain.answers import is_bot
from bot.domain.budget import Money
from bot.domain.errors import Refused
from bot.slack import ids, messages, views
from bot.slack.listeners.common import modal_lang, tell_privately, user_of
from bot.slack.listeners.deputies import account
from bot.slack.services import Services
from bot.slack.views.directory import (
    BLOCKS,
    CITY_OPS,
    OPS,
    directory_modal,
    edit_modal,
    entered,
    problem_errors,
    read_edit,
)
from bot.texts import fmt_cents, t
from bot.usecases.directory import directory_stamp
from bot.usecases.directory_edits import CONFLICT, check_coordinator, edit_directory

DIRECTORY_WORDS = {"verzeichnis", "directory"}

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.A_DIRECTORY_OPEN)(directory_clicked)
    for action_id in OPS:
        app.action(action_id)(edit_clicked)
    app.view(ids.VIEW_DIR_EDIT)(edit_submitted)


def directory_command(
    user: str, services: Services, ack: Ack, client: WebClient, trigger_id: str, url: str | None
) -> None:
    """`/cr-request verzeichnis`: the overview, for coordinators; anybody else is refused."""
    lang = services.lang_of(user)
    directory = services.refresh_directory()
    if not directory.is_coordinator(user):
        ack(**messages.plain_message(t(lang, "dir.refused")))
        return
    ack()
    try:
        client.views_open(trigger_id=trigger_id, view=directory_modal(directory, lang))
    except SlackApiError as exc:
        log.warning("views.open of the directory failed: %s", exc.response.get("error"))
        tell_privately(client, url, user, t(lang, "error.modal_failed"))


def directory_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Services
) -> None:
    """The Home tab's button (shown to coordinators only; anybody else's click is refused)."""
    ack()
    user = user_of(body)
    directory = services.refresh_directory()
    check_coordinator(directory, user)
    view = directory_modal(directory, services.lang_of(user))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def edit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    """A button of the overview: the edit modal on top of it (views.push)."""
    ack()
    user = user_of(body)
    lang = services.lang_of(user)
    action = (body.get("actions") or [{}])[0]
    op = OPS[action.get("action_id")]
    directory = services.refresh_directory()
    if not directory.is_coordinator(user):
        # In a modal a refusal is pushed on top of it.
        text = t(lang, "dir.refused")
        client.views_push(trigger_id=body["trigger_id"], view=views.notice_modal(text, lang))
        return
    city = str(action.get("value") or "") if op in CITY_OPS else ""
    if op in CITY_OPS and directory.city(city) is None:
        raise Refused("dir.unknown_city", {"city": city})
    shown = body.get("view") or {}
    root = str(shown.get("root_view_id") or shown.get("id") or "")
    seen = directory_stamp(services.session_factory)
    modal = edit_modal(op, directory, lang, city=city, root=root, seen=seen)
    client.views_push(trigger_id=body["trigger_id"], view=modal)


def edit_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
) -> None:
    """Read the edit, check the person picked, let the use case check and store it (the
    directory file's checks, under the fields), then draw the overview again."""
    user = user_of(body)
    check_coordinator(services.refresh_directory(), user)  # before anything is looked up
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    op, city = str(meta.get("op") or ""), str(meta.get("city") or "")
    state = view.get("state", {}).get("values")
    edit = read_edit(op, city, state, lang)
    if isinstance(edit, dict):
        ack(response_action="errors", errors=edit or {ids.B_DIR_PERSON: t(lang, "dir.refused")})
        return
    newcomers = _newcomers(edit)
    problem = next(
        (
            p
            for p in (_person_problem(services, u, lang, context.bot_user_id) for u in newcomers)
            if p
        ),
        None,
    )
    if problem:
        block = ids.B_DIR_PEOPLE if isinstance(edit, e.SetTopicContact) else ids.B_DIR_PERSON
        ack(response_action="errors", errors={block: problem})
        return
    services.learn_languages(newcomers)  # the DM telling them is in their language
    try:
        edit_directory(
            services.session_factory,
            edit,
            actor=user,
            ctx=services.context(),
            now=services.clock(),
            seen=_seen(meta),
        )
    except e.Problems as refused:
        ack(response_action="errors", errors=problem_errors(refused.problems, op, lang))
        return
    except Refused as refused:
        if refused.key == CONFLICT:
            ack(response_action="update", view=_again(services, op, meta, state, refused, lang))
            return
        if refused.field:
            refused.field = BLOCKS.get(refused.field, refused.field)
        raise
    ack()
    _redraw(services, client, str(meta.get("root") or ""), lang)


def _newcomers(edit: e.Edit) -> tuple[str, ...]:
    if isinstance(edit, e.AddContact | e.AddCoordinator):
        return (edit.user,)
    if isinstance(edit, e.SetTopicContact):
        return edit.users
    return ()


def _person_problem(services: Services, user: str, lang: str, bot_user: str | None) -> str | None:
    """Why `user` cannot take a role (a bot, unknown, deactivated), or None."""
    found = account(services, user)
    if is_bot(user, bot_user=bot_user, account=found):
        return t(lang, "dir.not_bot")
    if found is not None and not found.exists:
        return t(lang, "deputy.unknown")
    if found is not None and found.deleted:
        return t(lang, "deputy.deactivated", user=f"<@{user}>")
    return None


def _seen(meta: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(meta["seen"]))
    except (KeyError, ValueError):
        return None


def _again(
    services: Services,
    op: str,
    meta: dict[str, Any],
    state: Any,
    refused: Refused,
    lang: str,
) -> dict[str, Any]:
    """The edit modal again after a conflict: what is stored now, the person's entry kept,
    and as of now (a second submission sets it)."""
    directory = services.refresh_directory()
    users = refused.params.get("users")
    amount = refused.params.get("amount")
    if isinstance(users, tuple) and users:
        now = messages.mentions(users, lang)
    elif isinstance(amount, Money):
        now = fmt_cents(amount.cents, lang)
    else:
        now = t(lang, "dir.conflict.none")
    return edit_modal(
        op,
        directory,
        lang,
        city=str(meta.get("city") or ""),
        root=str(meta.get("root") or ""),
        seen=directory_stamp(services.session_factory),
        initial=entered(state),
        warning=t(lang, "dir.conflict", now=now),
    )


def _redraw(services: Services, client: WebClient, root: str, lang: str) -> None:
    """The overview under the closed edit modal, as the directory is now (best effort)."""
    if not root:
        return
    try:
        client.views_update(view_id=root, view=directory_modal(services.refresh_directory(), lang))
    except (SlackApiError, OSError) as exc:  # closed meanwhile: nothing to draw
        log.info("views.update of the directory skipped: %s", exc)
