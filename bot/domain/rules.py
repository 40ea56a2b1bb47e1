"""The rules, each written once: which requests count as what, and who may do what.

Use cases, jobs and builders import these; nothing else spells out a status set or a
permission. A rule raises `Refused` (or `MovedOn` when the request's state no longer
allows the action: the use case fills in who moved it on, and when).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Protocol

from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.schedule import reflection_due
from bot.domain.states import Action, Status, allowed_from

__all__ = [
    "AGREED",
    "DECIDABLE",
    "EDITABLE",
    "FINAL",
    "HELD",
    "LAPSABLE",
    "NAMING",
    "OPEN",
    "TOOK_PLACE",
    "UNDER_WAY",
    "MovedOn",
    "RequestFacts",
    "acting_for",
    "check_answer",
    "check_cancel",
    "check_certificate",
    "check_decide",
    "check_edit",
    "check_mark_matched",
    "check_name",
    "check_new_dates",
    "check_reflect",
    "check_set_deputy",
    "is_final",
    "is_open",
    "may_approve_over_budget",
    "may_cancel",
    "may_give_new_dates",
]

# --- status sets ---------------------------------------------------------------------

# Still going: the requester may withdraw it; lists show a cancel button.
OPEN = allowed_from(Action.CANCEL)
# Waiting for the home city's decision.
DECIDABLE = allowed_from(Action.APPROVE)
# The requester may still change it (and contacts are asked anew).
EDITABLE = allowed_from(Action.EDIT)
# Approved, experts still to be named by the partner cities.
NAMING = allowed_from(Action.MATCH)
# Approved or matched: upcoming in the digest and on Home.
UNDER_WAY = frozenset({Status.APPROVED, Status.MATCHED})
# With its experts: reflections are asked after it ends, and it completes.
HELD = allowed_from(Action.COMPLETE)
# Agreed exchanges, over or not: what the budget commits and what people reflect on.
AGREED = UNDER_WAY | {Status.COMPLETED}
# Exchanges that take (or took) place: what the report counts once their dates have passed.
TOOK_PLACE = HELD | {Status.COMPLETED}
# Still undecided or without every partner city's experts: lapses on its first day.
LAPSABLE = allowed_from(Action.LAPSE)
# Closed: nothing more happens to it; old ones may be purged.
FINAL = frozenset(Status) - OPEN


def is_open(status: str) -> bool:
    return status in OPEN


class RequestFacts(Protocol):
    """What the rules read of a request: the table row and the summary both have it."""

    @property
    def id(self) -> int | None: ...
    @property
    def status(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def requester_id(self) -> str: ...
    @property
    def own_city_key(self) -> str: ...
    @property
    def topic_key(self) -> str: ...
    @property
    def date_to(self) -> date: ...


class MovedOn(Refused):
    """The request is no longer in a state that allows the action."""

    def __init__(self) -> None:
        super().__init__("refused.already")


# --- who may do what -------------------------------------------------------------------


def _requester_only(actor: str, request: RequestFacts) -> None:
    if actor != request.requester_id:
        raise Refused("refused.not_requester", {"user": request.requester_id})


def acting_for(
    directory: Directory, actor: str, city_key: str, standing_in: Collection[str]
) -> str | None:
    """The contact of `city_key` whom `actor` stands in for as their deputy, if any."""
    contacts = directory.contacts_of(city_key)
    return next((user for user in standing_in if user in contacts), None)


def check_decide(
    directory: Directory,
    actor: str,
    request: RequestFacts,
    *,
    version: int,
    standing_in: Collection[str] = (),
) -> str | None:
    """Approve, decline, ask: a contact of the requester's city (or a coordinator), or the
    deputy of one of its contacts (`standing_in`: whom the actor stands in for today), while
    the request waits for a decision, on the version the button was made for.

    Returns whom a deputy acts for (None when acting in their own right)."""
    on_behalf_of = None
    if not directory.may_decide(actor, request.own_city_key):
        on_behalf_of = acting_for(directory, actor, request.own_city_key, standing_in)
        if on_behalf_of is None:
            city = directory.city_name(request.own_city_key)
            raise Refused("refused.not_contact", {"city": city})
    if request.status not in DECIDABLE:
        raise MovedOn
    if version != request.version:
        raise Refused("refused.stale", {"id": request.id})
    return on_behalf_of


def check_set_deputy(
    directory: Directory, actor: str, user: str, deputy: str | None, until: date, today: date
) -> None:
    """Name a deputy (or none) for `user` until a day: a contact for themselves, a
    coordinator for anybody; not oneself, not in the past."""
    is_contact = any(user in c.contacts for c in directory.cities) or any(
        user in tc.users for tc in directory.topic_contacts
    )
    if not directory.is_coordinator(actor) and (actor != user or not is_contact):
        raise Refused("refused.not_deciding_contact")
    if deputy == user:
        raise Refused("deputy.self")
    if until < today:
        raise Refused("deputy.bad_date")


def may_approve_over_budget(directory: Directory, actor: str) -> bool:
    """An approval that would exceed the travel budget: coordinators only; a contact's is
    handed to them with the figures."""
    return directory.is_coordinator(actor)


def may_cancel(directory: Directory, actor: str, request: RequestFacts) -> bool:
    return actor == request.requester_id or directory.is_coordinator(actor)


def check_cancel(directory: Directory, actor: str, request: RequestFacts, *, today: date) -> None:
    """Withdraw: the requester (or a coordinator), while the request is open and the exchange
    not over (after its last day it waits for its reflection: `bot.domain.timeline`)."""
    if not may_cancel(directory, actor, request):
        raise Refused("refused.not_requester", {"user": request.requester_id})
    if request.status not in OPEN:
        raise MovedOn
    # timeline.is_over, spelled out here: timeline imports these rules.
    if request.status in UNDER_WAY and reflection_due(request.date_to, today):
        raise Refused("refused.withdraw_over", {"id": request.id})


def check_edit(actor: str, request: RequestFacts, *, version: int | None = None) -> None:
    """Change the request: only the requester, while it is not yet decided."""
    _requester_only(actor, request)
    # A form opened before the request changed is stale, whatever happened to it since.
    if version is not None and version != request.version:
        raise Refused("refused.stale", {"id": request.id})
    if request.status not in EDITABLE:
        raise MovedOn


def may_give_new_dates(status: str, decided_by: str | None) -> bool:
    """New dates for a request that did not take place: only one that lapsed undecided (an
    approval was given for its dates, and its partner cities named for them)."""
    return status in allowed_from(Action.NEW_DATES) and decided_by is None


def check_new_dates(
    actor: str, request: RequestFacts, *, decided_by: str | None, version: int | None = None
) -> None:
    """Give new dates: the requester, to a request that lapsed undecided, on the version
    her button or form was made for."""
    _requester_only(actor, request)
    if request.status not in allowed_from(Action.NEW_DATES):
        raise MovedOn
    if not may_give_new_dates(request.status, decided_by):
        raise Refused("refused.new_dates_decided", {"id": request.id})
    if version is not None and version != request.version:
        raise Refused("refused.stale", {"id": request.id})


def check_file_again(actor: str, request: RequestFacts) -> None:
    """Open the form prefilled with a request (to file it anew): only its requester sees
    what it said."""
    _requester_only(actor, request)


def check_answer(
    directory: Directory, actor: str, request: RequestFacts, *, opening: bool = False
) -> None:
    """Answer a contact's question: the requester. A coordinator may open the answer form
    (to read the question) but not send the requester's answer."""
    if opening and directory.is_coordinator(actor):
        return
    _requester_only(actor, request)
    if not opening and request.status not in allowed_from(Action.ANSWER):
        raise MovedOn


def check_name(
    directory: Directory,
    actor: str,
    request: RequestFacts,
    city_key: str,
    *,
    partners: Collection[str],
    named: tuple[str, datetime] | None,
    standing_in: Collection[str] = (),
) -> str | None:
    """Name a partner city's experts: its naming contacts (topic people first), its contacts
    or a coordinator, or the deputy of one of its contacts, once per city, while the request
    is approved.

    `named` is (who, when) of this city's experts already named, if any. Returns whom a
    deputy acts for.
    """
    city = directory.city_name(city_key)
    on_behalf_of = None
    if not directory.may_name(actor, city_key, request.topic_key):
        # A deputy acts only in the roles of the person away as the city's (topic) contact;
        # a coordinator's deputy gets no coordinator rights.
        on_behalf_of = next(
            (u for u in standing_in if _names_for(directory, u, city_key, request.topic_key)),
            None,
        )
    may = directory.may_name(actor, city_key, request.topic_key) or on_behalf_of is not None
    if city_key not in partners or not may:
        raise Refused("refused.not_naming", {"city": city})
    # The city's own naming says most (the last city's naming is what matched the request).
    if named is not None:
        raise Refused("refused.already_named", {"city": city, "actor": named[0], "when": named[1]})
    if request.status not in NAMING:
        raise MovedOn
    return on_behalf_of


def _names_for(directory: Directory, user: str, city_key: str, topic_key: str) -> bool:
    """`user` names the city's experts as its (topic) contact, not as a coordinator."""
    return user in directory.naming_contacts(city_key, topic_key) or user in (
        directory.contacts_of(city_key)
    )


def check_mark_matched(directory: Directory, actor: str) -> None:
    """Mark matched (experts found outside the bot, or a lapsed exchange that took place
    after all): coordinators only."""
    if not directory.is_coordinator(actor):
        raise Refused("refused.not_coordinator")


def check_reflect(
    actor: str,
    request: RequestFacts,
    *,
    experts: Collection[str],
    today: date,
    reflected: bool,
) -> None:
    """Reflect: the requester or a named expert, once, after the exchange ended."""
    if actor != request.requester_id and actor not in experts:
        raise Refused("refused.not_participant")
    if request.status not in AGREED or not reflection_due(request.date_to, today):
        raise Refused("refused.not_ended", {"id": request.id})
    if reflected:
        raise Refused("refused.already_reflected", {"id": request.id})


def check_certificate(actor: str, request: RequestFacts, *, experts: Collection[str]) -> None:
    """A certificate of participation: for the requester and the named experts, once the
    exchange took place (completed)."""
    if actor != request.requester_id and actor not in experts:
        raise Refused("refused.certificate_not_participant", {"id": request.id})
    if request.status != Status.COMPLETED:
        raise Refused("refused.certificate_not_yet", {"id": request.id, "status": request.status})


def is_final(status: str) -> bool:
    return status in FINAL


# --- the network's memory -----------------------------------------------------------

# What everybody finds in search: exchanges that took place or are agreed. One's own
# requests are found in any state; nothing else of other people's.
SEARCHABLE = frozenset({Status.MATCHED, Status.COMPLETED})
# Whose reflections may be read by whom: only the report, the participants, everybody.
SHARE_CHOICES = ("report", "participants", "network")


def visible_in_search(viewer: str, *, requester_id: str, status: str) -> bool:
    return status in SEARCHABLE or requester_id == viewer
