"""Taking part in an exchange: an expert's (or the requester's) part, what they do next,
and the certificate of participation once the exchange took place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import rules
from bot.domain.request import Summary
from bot.domain.schedule import reflection_due
from bot.domain.states import Status

REQUESTER = "requester"
EXPERT = "expert"

# A participant's next step (a text key's last part: `part.step.<step>`).
WAIT_NAMING = "wait_naming"  # other partner cities still to name their experts
CONFIRM = "confirm"  # confirm the agreement in the group DM
UPCOMING = "upcoming"  # agreed and confirmed: the exchange is coming
REFLECT = "reflect"  # over: reflect (the button)
CERTIFICATE = "certificate"  # completed: the certificate (the button)
CLOSED = "closed"  # withdrawn, lapsed, declined: nothing left to do


def host_keys(s: Summary) -> tuple[str, ...]:
    """Who hosts the exchange: the partner cities for a visit, the own city when experts
    are invited, nobody online."""
    if "online" in (s.format, s.direction):
        return ()
    if s.direction == "invite":
        return (s.own_city_key,)
    return s.partner_keys


@dataclass(frozen=True)
class Part:
    """One person's part in one exchange: as the requester (of their own city) or as an
    expert of a partner city, named by whom."""

    request: Summary
    role: str  # REQUESTER | EXPERT
    city_key: str
    named_by: str | None = None
    confirmed: bool = False  # the agreement, in the group DM
    reflected: bool = False


def next_step(part: Part, today: date) -> str:
    """What the participant does next, as of `today`."""
    s = part.request
    if s.status == Status.COMPLETED:
        return REFLECT if not part.reflected and part.role == EXPERT else CERTIFICATE
    if s.status not in rules.UNDER_WAY:
        return CLOSED
    if reflection_due(s.date_to, today):
        return REFLECT if not part.reflected else UPCOMING
    if s.status == Status.APPROVED:
        return WAIT_NAMING
    return UPCOMING if part.confirmed else CONFIRM


@dataclass(frozen=True)
class Certificate:
    """What a certificate of participation states: the exchange, the person's part, the
    network, the coordinators' line (in each language), and the day it was issued (the
    day the exchange was completed, so a second download is the same certificate)."""

    part: Part
    network: str
    issued: date
    signature: str | None = None
    signature_en: str | None = None

    def signature_line(self, lang: str) -> str | None:
        return {"en": self.signature_en}.get(lang) or self.signature
