"""A participant's next step, as of a day: table-driven, no database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import participation as part
from bot.domain.participation import EXPERT, REQUESTER, Part, host_keys
from bot.domain.request import Summary

S = Summary(
    id=1,
    version=1,
    status="approved",
    requester_id="U0REQ1",
    title="t",
    question="q",
    topic_key="wohnen",
    format="workshop",
    direction="visit",
    own_city_key="leipzig",
    partner_keys=("bremen", "nuernberg"),
    date_from=date(2026, 12, 7),
    date_to=date(2026, 12, 9),
    travellers=2,
)
BEFORE, DURING, AFTER = date(2026, 12, 1), date(2026, 12, 9), date(2026, 12, 10)


@pytest.mark.parametrize(
    ("status", "today", "confirmed", "reflected", "role", "step"),
    [
        ("approved", BEFORE, False, False, EXPERT, part.WAIT_NAMING),
        ("matched", BEFORE, False, False, EXPERT, part.CONFIRM),
        ("matched", DURING, True, False, EXPERT, part.UPCOMING),
        ("matched", AFTER, True, False, EXPERT, part.REFLECT),
        ("matched", AFTER, False, False, EXPERT, part.REFLECT),
        ("completed", AFTER, True, False, EXPERT, part.REFLECT),
        ("completed", AFTER, True, True, EXPERT, part.CERTIFICATE),
        ("completed", AFTER, False, False, REQUESTER, part.CERTIFICATE),
        ("cancelled", BEFORE, True, False, EXPERT, part.CLOSED),
        ("lapsed", AFTER, False, False, EXPERT, part.CLOSED),
    ],
)
def test_next_step(status, today, confirmed, reflected, role, step):
    p = Part(
        S.model_copy(update={"status": status}), role, "bremen", "U0BRE3", confirmed, reflected
    )
    assert part.next_step(p, today) == step


@pytest.mark.parametrize(
    ("format", "direction", "hosts"),
    [
        ("workshop", "visit", ("bremen", "nuernberg")),
        ("workshop", "invite", ("leipzig",)),
        ("online", "online", ()),
        ("online", "visit", ()),
        ("site_visit", "online", ()),
    ],
)
def test_the_host(format, direction, hosts):
    assert host_keys(S.model_copy(update={"format": format, "direction": direction})) == hosts
