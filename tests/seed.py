"""Requests in a given state, made through the real use cases (fast, no HTTP)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.domain.request import RequestDraft
from bot.usecases import decisions, filing, matching

_counter = [0]


def seed(
    bot: Any,
    *,
    state: str = "approved",
    requester: str = "U0REQ1",
    own: str = "leipzig",
    partners: tuple[str, ...] = ("bremen",),
    date_from: date = date(2026, 12, 7),
    date_to: date = date(2026, 12, 9),
    title: str | None = None,
    experts: tuple[str, ...] = ("U0EXP1",),
    travellers: int = 2,
    cost_eur: Decimal | None = None,
) -> int:
    """A request filed, and approved / matched / declined as asked; returns its id."""
    _counter[0] += 1
    services = bot.services
    draft = RequestDraft(
        title=title or f"Austausch {_counter[0]}",
        question="Wie macht ihr das?",
        topic_key="wohnen",
        format="workshop",
        direction="visit",
        own_city_key=own,
        partner_keys=partners,
        date_from=date_from,
        date_to=date_to,
        travellers=travellers,
        cost_eur=cost_eur,
    )
    filed = filing.file_request(
        services.session_factory,
        draft,
        requester_id=requester,
        locale="de",
        submission_key=f"seed-{_counter[0]}-{id(bot)}",
        ctx=services.context(),
        now=bot.clock(),
    )
    request_id = filed.request.id
    contact = services.directory.contacts_of(own)[0]
    if state in ("approved", "matched"):
        decisions.decide(
            services.session_factory,
            request_id,
            1,
            "approve",
            actor=contact,
            ctx=services.context(),
            now=bot.clock(),
        )
    if state == "declined":
        decisions.decide(
            services.session_factory,
            request_id,
            1,
            "decline",
            actor=contact,
            comment="nein",
            ctx=services.context(),
            now=bot.clock(),
        )
    if state == "matched":
        for city in partners:
            namer = services.directory.naming_contacts(city, "wohnen")[0]
            matching.name_experts(
                services.session_factory,
                request_id,
                city,
                list(experts),
                actor=namer,
                note=None,
                ctx=services.context(),
                now=bot.clock(),
            )
    services.deliver()
    return request_id
