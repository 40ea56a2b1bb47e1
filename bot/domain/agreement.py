"""The agreement at matching, as the participants confirm it in the group DM."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.request import Summary


@dataclass(frozen=True)
class Agreement:
    request: Summary
    offers: tuple[tuple[str, str], ...]  # (city, what it offers), in the request's order
    participants: tuple[str, ...]  # requester, experts, the contacts who named them
    confirmed: tuple[str, ...]  # in the order they confirmed
