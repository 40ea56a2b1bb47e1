"""Deputies: `/cr-request vertretung …` (English `deputy`), and the Home tab's buttons and
small modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.answers import Account, check_deputy
from bot.domain.deputies import Absence, parse_deputy_command
from bot.slack import ids, messages, views
from bot.slack.listeners.common import modal_lang, open_modal, user_of
from bot.slack.services import Services
from bot.slack.views.programme import deputy_modal, selected_date, selected_user
from bot.texts import fmt_date, t
from bot.usecases import deputies

DEPUTY_WORDS = {"vertretung", "deputy", "abwesend", "away"}

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.A_DEPUTY_SET)(deputy_set_clicked)
    app.action(ids.A_DEPUTY_END)(deputy_end_clicked)
    app.view(ids.VIEW_DEPUTY)(deputy_submitted)


def _today(services: Services) -> Any:
    return deputies.local_day(services.clock(), services.settings.timezone)


def account(services: Services, user: str) -> Account | None:
    """What Slack says of `user` (users.info); None when Slack could not be asked."""
    try:
        info = services.client.users_info(user=user)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return Account(exists=False)
        log.warning("users.info for %s failed: %s", user, exc.response.get("error"))
        return None
    except OSError as exc:
        log.warning("users.info for %s failed: %s", user, exc)
        return None
    return Account(True, is_bot=bool(info.get("is_bot")), deleted=bool(info.get("deleted")))


def deputy_problem(
    services: Services, deputy: str | None, away: str, lang: str, bot_user: str | None
) -> str | None:
    """Why `deputy` cannot stand in for `away` (in `lang`), or None."""
    if deputy is None:
        return None
    problem = check_deputy(
        deputy, away, ids.B_DEPUTY_PERSON, bot_user=bot_user, account=account(services, deputy)
    )
    return t(lang, problem.key, **problem.params) if problem else None


def set_text(absence: Absence, lang: str) -> str:
    params = {
        "user": f"<@{absence.user}>",
        "deputy": f"<@{absence.deputy}>",
        "until": fmt_date(absence.until, lang),
    }
    return t(lang, "deputy.set" if absence.deputy else "deputy.away", **params)


def current_text(absence: Absence, lang: str) -> str:
    """`/cr-request vertretung` alone: the person's own deputy (or absence) as it stands."""
    params = {"deputy": f"<@{absence.deputy}>", "until": fmt_date(absence.until, lang)}
    return t(lang, "deputy.current" if absence.deputy else "deputy.current_away", **params)


def deputy_command(args: list[str], user: str, services: Services, ack: Ack) -> None:
    """`vertretung @person bis 31.12.`, `vertretung bis 31.12.` (away, nobody stands in),
    `vertretung ende`; coordinators: `vertretung @away @deputy bis 31.12.`, `… ende @away`."""
    lang = services.lang_of(user)
    today = _today(services)
    command = parse_deputy_command(args, today)
    ctx = services.context()
    if command.unreadable:
        ack(**messages.plain_message(t(lang, "deputy.usage")))
        return
    if command.end:
        whom = command.mentions[0] if command.mentions else user
        ended = deputies.end_deputy(
            services.session_factory, actor=user, user=whom, ctx=ctx, now=services.clock()
        )
        key = "deputy.ended" if ended else "deputy.none"
        ack(**messages.plain_message(t(lang, key, user=f"<@{whom}>")))
        return
    if command.until is None:
        if command.mentions:
            ack(**messages.plain_message(t(lang, "deputy.bad_date")))
            return
        current = deputies.absence_of(services.session_factory, user, today)
        status = (
            current_text(current, lang) if current else t(lang, "deputy.none", user=f"<@{user}>")
        )
        ack(**messages.plain_message(status + "\n" + t(lang, "deputy.usage")))
        return
    away, deputy = user, None
    if len(command.mentions) >= 2:
        away, deputy = command.mentions[0], command.mentions[1]
    elif command.mentions:
        deputy = command.mentions[0]
    # users.info says is_bot for the bot itself too (no Bolt context here).
    problem = deputy_problem(services, deputy, away, lang, None)
    if problem:
        ack(**messages.plain_message(problem))
        return
    absence = deputies.set_deputy(
        services.session_factory,
        actor=user,
        user=away,
        deputy=deputy,
        until=command.until,
        ctx=ctx,
        now=services.clock(),
    )
    ack(**messages.plain_message(set_text(absence, lang)))


def deputy_set_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The Home tab's "set a deputy": the modal at once (directory and language from memory)."""
    ack()
    user = user_of(body)
    lang = services.lang_of(user, cached=True)
    coordinator = services.directory.is_coordinator(user)
    view = deputy_modal(lang, user, coordinator=coordinator, today=_today(services))
    open_modal(services, client, context, body, view)


def deputy_end_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    ack()
    user = user_of(body)
    deputies.end_deputy(
        services.session_factory,
        actor=user,
        user=user,
        ctx=services.context(),
        now=services.clock(),
    )


def deputy_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, services: Services
) -> None:
    user = user_of(body)
    lang = modal_lang(services, views.parse_metadata(view.get("private_metadata")), user)
    state = view.get("state", {}).get("values")
    away = selected_user(state, ids.B_DEPUTY_AWAY) or user
    deputy = selected_user(state, ids.B_DEPUTY_PERSON)
    until = selected_date(state, ids.B_DEPUTY_UNTIL)
    errors = {}
    if until is None or until < _today(services):
        errors[ids.B_DEPUTY_UNTIL] = t(lang, "deputy.bad_date")
    problem = deputy_problem(services, deputy, away, lang, context.bot_user_id)
    if problem:
        errors[ids.B_DEPUTY_PERSON] = problem
    if errors or until is None:
        ack(response_action="errors", errors=errors)
        return
    deputies.set_deputy(
        services.session_factory,
        actor=user,
        user=away,
        deputy=deputy,
        until=until,
        ctx=services.context(),
        now=services.clock(),
    )
    ack()
