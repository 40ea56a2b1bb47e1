"""Cost claims after the trip: their states and who moves them.

asked (the requester was asked) → claimed → checked (sachlich richtig) → paid; a question
from the coordinators sends it back to the requester (question → claimed again).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.request import ExchangeRequestBase, people_travelling


class ClaimStatus(StrEnum):
    ASKED = "asked"
    CLAIMED = "claimed"
    QUESTION = "question"
    CHECKED = "checked"
    PAID = "paid"


class ClaimState(str):
    """A claim's state in a refusal's parameters: each reader sees its label."""

    __slots__ = ()


class ClaimStep(StrEnum):
    CLAIM = "claim"
    CHECK = "check"
    QUESTION = "question"
    PAY = "pay"


# step -> (allowed from-states, resulting state)
CLAIM_TRANSITIONS: dict[ClaimStep, tuple[frozenset[ClaimStatus], ClaimStatus]] = {
    ClaimStep.CLAIM: (frozenset({ClaimStatus.ASKED, ClaimStatus.QUESTION}), ClaimStatus.CLAIMED),
    ClaimStep.CHECK: (frozenset({ClaimStatus.CLAIMED}), ClaimStatus.CHECKED),
    ClaimStep.QUESTION: (
        frozenset({ClaimStatus.CLAIMED, ClaimStatus.CHECKED}),
        ClaimStatus.QUESTION,
    ),
    ClaimStep.PAY: (frozenset({ClaimStatus.CHECKED}), ClaimStatus.PAID),
}


RECEIPT_NAME_MAX = 200
PERMALINK_MAX = 500


@dataclass(frozen=True)
class Receipt:
    """A receipt uploaded with the claim: the file stays in Slack; we keep its id, its name
    and its permalink (what the coordinators click)."""

    id: str
    name: str = ""
    permalink: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "permalink": self.permalink}


def receipts_from_json(stored: Any) -> tuple[Receipt, ...]:
    """The stored receipts: dicts, or bare file ids (claims stored before names and
    permalinks were kept)."""
    found = []
    for item in stored if isinstance(stored, list) else []:
        if isinstance(item, str):
            found.append(Receipt(item))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            name, link = item.get("name"), item.get("permalink")
            found.append(
                Receipt(
                    item["id"],
                    name if isinstance(name, str) else "",
                    link if isinstance(link, str) else "",
                )
            )
    return tuple(found)


RECEIPTS_MAX = 20  # a claim corrected a few times keeps what was sent before


def merged_receipts(kept: tuple[Receipt, ...], added: list[Receipt]) -> tuple[Receipt, ...]:
    """A correction adds receipts; those sent before stay (nothing the requester sent is
    lost; a file sent again is kept once)."""
    merged = list(kept)
    for receipt in added:
        if all(r.id != receipt.id for r in merged):
            merged.append(receipt)
    return tuple(merged[:RECEIPTS_MAX])


@dataclass(frozen=True)
class Claim:
    """What everybody sees of a cost claim (money in cents; receipts stay in Slack)."""

    request_id: int
    status: str
    version: int
    amount_cents: int | None = None
    per_person_cents: int | None = None
    travelling: int = 0
    note: str | None = None
    receipts: tuple[Receipt, ...] = ()


def next_steps(status: str) -> tuple[ClaimStep, ...]:
    """The coordinators' buttons for a claim in `status`."""
    return tuple(
        step
        for step in (ClaimStep.CHECK, ClaimStep.QUESTION, ClaimStep.PAY)
        if status in CLAIM_TRANSITIONS[step][0]
    )


def claim_wanted(request: ExchangeRequestBase) -> bool:
    """Asked for actual costs: not online exchanges, not when nobody travels."""
    return people_travelling(request) > 0


def check_claimant(actor: str, requester: str, status: str, request_id: int) -> None:
    """Claim the costs: the requester, while the claim is asked for or questioned."""
    if actor != requester:
        raise Refused("refused.claim_not_requester", {"user": requester})
    if status not in CLAIM_TRANSITIONS[ClaimStep.CLAIM][0]:
        raise Refused("refused.claim_moved_on", {"id": request_id, "claim": ClaimState(status)})


def check_claim_step(
    directory: Directory,
    actor: str,
    step: ClaimStep,
    status: str,
    *,
    version: int,
    current_version: int,
    request_id: int,
    claimant: str | None = None,
) -> ClaimStatus:
    """Checked, question, paid: coordinators, from the state the step allows, on the version
    the button was made for (the first click wins). Returns the resulting state.

    Four eyes: nobody checks or pays a claim of their own (`claimant`); a coordinator who
    claimed needs another coordinator, and is told so (and when there is none)."""
    if not directory.is_coordinator(actor):
        raise Refused("refused.not_coordinator")
    if step in (ClaimStep.CHECK, ClaimStep.PAY) and actor == claimant:
        others = [c for c in directory.coordinators if c != actor]
        raise Refused(
            "refused.claim_own" if others else "refused.claim_own_alone", {"id": request_id}
        )
    allowed, target = CLAIM_TRANSITIONS[step]
    if status not in allowed or version != current_version:
        raise Refused("refused.claim_moved_on", {"id": request_id, "claim": ClaimState(status)})
    return target
