"""What people type into the small modals (reason, question, answer, experts, reflection),
and the rules it must satisfy. Problems name the field; the Slack layer shows them inline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.request import QUESTION_MAX, Problem

EXPERTS_MAX = 10
RATINGS = ("1", "2", "3", "4", "5")
TEXT_MAX = QUESTION_MAX


def check_text(text: str, field: str, *, required: bool = True) -> Problem | None:
    """A reason, question or answer: required, at most TEXT_MAX characters (never cut)."""
    if required and not text:
        return Problem(field, "err.required_reason")
    if len(text) > TEXT_MAX:
        return Problem(field, "err.too_long", {"max": TEXT_MAX, "n": len(text)})
    return None


SLACKBOT = "USLACKBOT"  # Slack's own bot: users.info does not call it a bot


@dataclass(frozen=True)
class Account:
    """What Slack says of a user id (users.info): whether it exists, is a bot, is deactivated."""

    exists: bool
    is_bot: bool = False
    deleted: bool = False


def is_bot(user: str, *, bot_user: str | None, account: Account | None = None) -> bool:
    """The bot itself, Slackbot, or any account Slack calls a bot."""
    return user in (bot_user, SLACKBOT) or (account is not None and account.is_bot)


def check_experts(experts: Sequence[str], field: str, *, bot_user: str | None) -> Problem | None:
    """One to ten people, and never the bot itself."""
    if not experts or len(experts) > EXPERTS_MAX:
        return Problem(field, "err.no_experts")
    if any(is_bot(user, bot_user=bot_user) for user in experts):
        return Problem(field, "err.expert_bot")
    return None


def check_deputy(
    deputy: str, away: str, field: str, *, bot_user: str | None, account: Account | None
) -> Problem | None:
    """A deputy is a person in our Slack other than the one away: not a bot (the expert
    form's check), not deactivated, not unknown. `account` None: Slack could not be asked,
    and only what is known without it is checked."""
    if deputy == away:
        return Problem(field, "deputy.self")
    if is_bot(deputy, bot_user=bot_user, account=account):
        return Problem(field, "deputy.not_bot")
    if account is not None and not account.exists:
        return Problem(field, "deputy.unknown")
    if account is not None and account.deleted:
        return Problem(field, "deputy.deactivated", {"user": f"<@{deputy}>"})
    return None


@dataclass(frozen=True)
class ReflectionAnswers:
    rating: int
    recommend: bool
    worked: str | None
    not_worked: str | None
    will_apply: str | None = None
    share: str = "report"  # report | participants | network


def check_reflection(
    *,
    rating: str | None,
    recommend: str | None,
    worked: str,
    not_worked: str,
    will_apply: str = "",
    share: str | None = None,
) -> ReflectionAnswers | list[Problem]:
    """A rating 1–5 and yes/no are required; the texts are optional; who may read it is
    the report only unless chosen otherwise."""
    problems: list[Problem] = []
    if rating not in RATINGS:
        problems.append(Problem("rating", "err.choose"))
    if recommend not in ("yes", "no"):
        problems.append(Problem("recommend", "err.choose"))
    if share not in (None, "report", "participants", "network"):
        problems.append(Problem("share", "err.choose"))
    for field, text in (("worked", worked), ("not_worked", not_worked), ("will_apply", will_apply)):
        problem = check_text(text, field, required=False)
        if problem:
            problems.append(problem)
    if problems:
        return problems
    return ReflectionAnswers(
        rating=int(rating or 0),
        recommend=recommend == "yes",
        worked=worked or None,
        not_worked=not_worked or None,
        will_apply=will_apply or None,
        share=share or "report",
    )
