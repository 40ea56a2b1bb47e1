"""Request states and the transitions between them (PRODUCT.md, "The life of a request")."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    MATCHED = "matched"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    # Its first day came while it was undecided or still missing experts: it did not take place.
    LAPSED = "lapsed"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    DECLINE = "decline"
    ASK = "ask"
    ANSWER = "answer"
    EDIT = "edit"
    MATCH = "match"
    CANCEL = "cancel"
    COMPLETE = "complete"
    LAPSE = "lapse"
    # A coordinator records that a lapsed exchange took place after all.
    TOOK_PLACE = "took_place"
    # The requester gives a request that lapsed undecided new dates: it is decided anew.
    NEW_DATES = "new_dates"


# action -> (allowed from-states, resulting state)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.APPROVE: (frozenset({Status.SUBMITTED}), Status.APPROVED),
    Action.DECLINE: (frozenset({Status.SUBMITTED}), Status.DECLINED),
    Action.ASK: (frozenset({Status.SUBMITTED}), Status.NEEDS_INFO),
    Action.ANSWER: (frozenset({Status.NEEDS_INFO}), Status.SUBMITTED),
    Action.EDIT: (frozenset({Status.SUBMITTED, Status.NEEDS_INFO}), Status.SUBMITTED),
    Action.MATCH: (frozenset({Status.APPROVED}), Status.MATCHED),
    Action.CANCEL: (
        frozenset({Status.SUBMITTED, Status.NEEDS_INFO, Status.APPROVED, Status.MATCHED}),
        Status.CANCELLED,
    ),
    # Only an exchange with its experts takes place; one still without them lapses first.
    Action.COMPLETE: (frozenset({Status.MATCHED}), Status.COMPLETED),
    Action.LAPSE: (
        frozenset({Status.SUBMITTED, Status.NEEDS_INFO, Status.APPROVED}),
        Status.LAPSED,
    ),
    Action.TOOK_PLACE: (frozenset({Status.LAPSED}), Status.MATCHED),
    Action.NEW_DATES: (frozenset({Status.LAPSED}), Status.SUBMITTED),
}

# The status sets built from these transitions live in bot.domain.rules.


class TransitionNotAllowed(Exception):
    def __init__(self, action: Action, current: Status) -> None:
        super().__init__(f"{action} not allowed from {current}")
        self.action = action
        self.current = current


def next_status(action: Action, current: Status) -> Status:
    """The state after `action`, or TransitionNotAllowed."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise TransitionNotAllowed(action, current)
    return target


def allowed_from(action: Action) -> frozenset[Status]:
    return TRANSITIONS[action][0]
