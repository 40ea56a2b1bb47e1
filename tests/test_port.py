"""The use cases through their port alone: a fake of `Notifications` records the facts told,
no Slack, no outbox. What each fact says (who decides, who names, who is told of a
withdrawal) is checked here in milliseconds; how Slack shows it, in the HTTP tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain import routing
from bot.domain.deputies import Absence
from bot.domain.request import RequestDraft
from bot.domain.states import Action
from bot.infra.directory_file import parse_directory
from bot.usecases import decisions, deputies, filing, matching
from bot.usecases.directory import sync_directory
from bot.usecases.ports import Context, Notifications
from tests.conftest import DIRECTORY, NOW

TZ = ZoneInfo("Europe/Berlin")
REQUESTER = "U0REQ1"


class Told:
    """The port, faked: every fact told, in order, as (name, arguments by name)."""

    def __init__(self) -> None:
        self.facts: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, fact: str) -> Any:
        if not hasattr(Notifications, fact):  # only what the port says may be told
            raise AttributeError(fact)

        def tell(session: object, *args: Any, **kwargs: Any) -> None:
            assert session is not None  # told inside the use case's transaction
            self.facts.append((fact, {"args": args, **kwargs}))

        return tell

    def names(self) -> list[str]:
        return [name for name, _ in self.facts]

    def last(self, fact: str) -> dict[str, Any]:
        return [said for name, said in self.facts if name == fact][-1]


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def ctx(session_factory: Any, told: Told) -> Context:
    directory = parse_directory(DIRECTORY)
    sync_directory(session_factory, directory, now=NOW)
    return Context(directory, TZ, told)


def file(session_factory: Any, ctx: Context, partners: tuple[str, ...] = ("bremen",)) -> int:
    draft = RequestDraft(
        title="Wohnungstausch",
        question="Wie macht ihr das?",
        topic_key="wohnen",
        format="workshop",
        direction="visit",
        own_city_key="leipzig",
        partner_keys=partners,
        date_from=date(2027, 2, 1),
        date_to=date(2027, 2, 2),
        travellers=2,
    )
    filed = filing.file_request(
        session_factory,
        draft,
        requester_id=REQUESTER,
        locale="de",
        submission_key=f"port-{partners}",
        ctx=ctx,
        now=NOW,
    )
    return filed.request.id


def test_filing_tells_that_the_city_contacts_decide(session_factory, ctx, told):
    request_id = file(session_factory, ctx)
    assert told.names() == ["request_filed"]
    said = told.last("request_filed")
    assert said["args"][0].id == request_id
    assert said["deciders"] == ("U0LEI1", "U0LEI2")
    assert said["budget"] is None  # the test directory has no budgets


def test_a_deputy_decides_for_a_contact_away_and_hears_it(session_factory, ctx, told):
    until = date(2026, 12, 31)
    deputies.set_deputy(
        session_factory, actor="U0LEI1", user="U0LEI1", deputy="U0NUE1", until=until,
        ctx=ctx, now=NOW,
    )  # fmt: skip
    assert told.last("deputy_set")["args"] == (Absence("U0LEI1", "U0NUE1", until, 1), "U0LEI1")
    file(session_factory, ctx)
    assert told.last("request_filed")["deciders"] == ("U0NUE1", "U0LEI2")


def test_approval_tells_who_names_the_experts_of_each_partner_city(session_factory, ctx, told):
    request_id = file(session_factory, ctx, partners=("bremen", "nuernberg"))
    decisions.decide(session_factory, request_id, 1, "approve", actor="U0LEI2", ctx=ctx, now=NOW)
    said = told.last("decision_made")
    assert said["args"][1:] == (Action.APPROVE, "U0LEI2", None)
    # Bremen's topic contact for "wohnen" first; Nürnberg has none: its city contact.
    assert said["namers"] == [("bremen", ("U0BRE3",)), ("nuernberg", ("U0NUE1",))]


def test_the_last_naming_tells_the_introduction_and_a_withdrawal_tells_the_experts(
    session_factory, ctx, told
):
    request_id = file(session_factory, ctx)
    decisions.decide(session_factory, request_id, 1, "approve", actor="U0LEI1", ctx=ctx, now=NOW)
    matching.name_experts(
        session_factory, request_id, "bremen", ["U0BRE7", "U0BRE8"], actor="U0BRE3",
        note="Bitte vorher anrufen", ctx=ctx, now=NOW, offer="Führung",
    )  # fmt: skip
    introduction = told.last("experts_named")["matched"]
    assert introduction.experts.named == [("bremen", ["U0BRE7", "U0BRE8"], "U0BRE3")]
    assert introduction.experts.notes == [("bremen", "Bitte vorher anrufen")]
    assert introduction.experts.members(REQUESTER) == [REQUESTER, "U0BRE7", "U0BRE8", "U0BRE3"]
    assert introduction.agreement.offers == (("bremen", "Führung"),)
    decisions.cancel(session_factory, request_id, actor=REQUESTER, ctx=ctx, now=NOW)
    assert told.last("cancelled")["experts"] == ("U0BRE7", "U0BRE8")
    assert told.names() == ["request_filed", "decision_made", "experts_named", "cancelled"]


def test_routing_rules_are_plain_functions_of_the_directory_and_the_absences():
    directory = parse_directory(DIRECTORY)
    today = NOW.date()
    away = {"U0LEI1": Absence("U0LEI1", None, today), "U0BRE3": Absence("U0BRE3", "U0X", today)}
    assert routing.deciders(directory, "leipzig", away, today) == ("U0LEI2",)
    both = {**away, "U0LEI2": Absence("U0LEI2", None, today + timedelta(days=3))}
    assert routing.deciders(directory, "leipzig", both, today) == ()  # the coordinators step in
    assert routing.deciders(directory, "atlantis", {}, today) == ("U0COORD1",)
    assert routing.namers(directory, ("bremen", "nuernberg"), "wohnen", away, today) == [
        ("bremen", ("U0X",)),
        ("nuernberg", ("U0NUE1",)),
    ]
    # An absence that ended yesterday routes nothing.
    assert routing.deciders(directory, "leipzig", away, today + timedelta(days=1)) == (
        "U0LEI1",
        "U0LEI2",
    )
