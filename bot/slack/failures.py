"""The coordinators' report of a Slack call refused for good (the outbox writes it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.slack import messages


def coordinators_report(
    coordinators: Callable[[], Sequence[str]],
) -> Callable[[int | None, str, str], list[dict[str, Any]]]:
    """For a refused call (request id, outbox method, Slack's error): a DM to each
    coordinator saying which request's message was lost and why."""

    def report(request_id: int | None, method: str, error: str) -> list[dict[str, Any]]:
        message = messages.delivery_failed(request_id, method, error)
        return [{**message, "channel": user} for user in coordinators()]

    return report
