"""The coordinators' "Braucht Ihre Aufmerksamkeit" on the Home tab: each kind of waiting
item with the buttons of its DM (the same checks), dropped from the list once acted on,
in the DM or on the Home tab (the outbox's Home refresh); counted in the title, waiting
longest first; nothing for anyone else; German and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View

from bot.domain.attention import Attention, Waiting, Why, oldest_first, starts_soon
from bot.domain.budget import BudgetLine
from bot.domain.claims import Claim
from bot.domain.request import Summary
from bot.entry.scheduler import reflect_job, remind_job
from bot.infra.directory_file import parse_directory
from bot.slack import ids
from bot.slack.home import home_view
from bot.usecases.home import HomeData
from models import CostClaim, ExchangeRequest
from tests import payloads as p
from tests.conftest import DIRECTORY, running_bot
from tests.flows import (
    blocks_text,
    buttons,
    click,
    dms_to,
    last_dm,
    submit_opened,
    submit_request,
    text_state,
)
from tests.seed import seed

COORD = "U0COORD1"
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN).astimezone(UTC)


def dates(first: str, last: str) -> dict[str, Any]:
    """Form overrides: the exchange's first and last day."""
    return {ids.B_DATE_FROM: p.date_value(first), ids.B_DATE_TO: p.date_value(last)}


SOON = dates("2026-12-01", "2026-12-02")  # within a week of Thu 26 Nov 2026 (the clock)
LATER = dates("2026-12-21", "2026-12-23")  # within a week of nothing the tests reach


def open_home(bot: Any, user: str = COORD) -> dict[str, Any]:
    status, _ = bot.http.event(p.app_home_opened(user_id=user))
    assert status == 200
    return published(bot, user)


def published(bot: Any, user: str = COORD, since: int = 0) -> dict[str, Any]:
    """The Home tab last published for `user` (after the call numbered `since`)."""
    views = [
        c
        for c in bot.slack.calls[since:]
        if c.method == "views.publish" and c.params["user_id"] == user
    ]
    assert views, f"no Home tab published for {user}: {bot.slack.methods()}"
    return views[-1].params["view"]


def settle(bot: Any) -> int:
    """Past the Home window of what came before; the number of calls so far."""
    bot.clock.advance(seconds=3)
    return len(bot.slack.calls)


def section(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of the attention section (its title to the next divider); [] without."""
    blocks = view["blocks"]
    start = next(
        (
            i
            for i, b in enumerate(blocks)
            if b["type"] == "section" and b["text"]["text"].startswith("*:bell:")
        ),
        None,
    )
    if start is None:
        return []
    end = next(
        (i for i in range(start + 1, len(blocks)) if blocks[i]["type"] == "divider"), len(blocks)
    )
    return blocks[start:end]


def title(view: dict[str, Any]) -> str:
    return section(view)[0]["text"]["text"]


def rows(view: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each row of the section: its text, and its actions blocks."""
    found: list[tuple[str, list[dict[str, Any]]]] = []
    for block in section(view)[1:]:
        if block["type"] == "section":
            found.append((block["text"]["text"], []))
        elif block["type"] == "actions" and found:
            found[-1][1].append(block)
    return found


def row(view: dict[str, Any], request_id: int) -> tuple[str, list[dict[str, Any]]]:
    [found] = [r for r in rows(view) if r[0].startswith(f"*#{request_id} ")]
    return found


def row_buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """A row's buttons but its *Verlauf*, which every row ends with (the request's id)."""
    found = buttons(blocks)
    last = blocks[-1]["elements"][-1]
    assert last["action_id"] == ids.A_HISTORY_OPEN, last
    assert all(v.split(":")[0] == last["value"] for k, v in found.items() if k != last["action_id"])
    del found[ids.A_HISTORY_OPEN]
    return found


def labels(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """What a screen reader says for each button of a row but its *Verlauf*."""
    return {
        el["action_id"]: el.get("accessibility_label", "")
        for block in blocks
        for el in block["elements"]
        if el["action_id"] != ids.A_HISTORY_OPEN
    }


def home_click(bot: Any, user: str, view: dict[str, Any], action_id: str, value: str) -> None:
    """A click on a Home row's button (the container is the view, as Slack sends it)."""
    status, _ = bot.http.click(
        action_id=action_id,
        value=value,
        user_id=user,
        container_type="view",
        view={**view, "id": "VHOME" + user, "hash": "1"},
    )
    assert status == 200


def last_modal_text(bot: Any) -> str:
    return blocks_text(bot.slack.delivered("views.open")[-1].params["view"]["blocks"])


def status_of(bot: Any, request_id: int) -> str:
    with bot.session_factory() as s:
        return s.get(ExchangeRequest, request_id).status


# --- who sees it, and when nothing waits ---------------------------------------------------


def test_nothing_waiting_is_one_line_and_only_coordinators_see_the_section(bot):
    empty = section(open_home(bot))
    assert blocks_text(empty) == (
        "*:bell: Braucht Ihre Aufmerksamkeit (0)*\nIm Moment wartet nichts auf die Koordination."
    )
    submit_request(bot, "U0REQ1", **SOON)
    assert title(open_home(bot)) == "*:bell: Braucht Ihre Aufmerksamkeit (1)*"
    # The contacts, the partner city's topic contact and the requester: no such section.
    for user in ("U0LEI1", "U0BRE3", "U0REQ1", "U0OUT1"):
        view = open_home(bot, user)
        assert section(view) == [] and "Aufmerksamkeit" not in blocks_text(view["blocks"])


# --- each kind, and how it leaves the list ---------------------------------------------------


def test_a_request_starting_within_a_week_waits_until_decided_and_named(bot):
    open_home(bot)
    mark = settle(bot)
    submit_request(bot, "U0REQ1", **SOON)
    # Filed: the coordinator's Home is published anew with it (nobody opened it again).
    text, actions = row(published(bot, since=mark), 1)
    assert "Leipzig → Bremen" in text and "Angefragt von <@U0REQ1>" in text
    assert ":hourglass: Beginnt am Di, 1. Dez. 2026 und ist noch nicht entschieden" in text
    assert "_wartet seit <!date^" in text
    assert row_buttons(actions) == {ids.A_APPROVE: "1:1", ids.A_DECLINE: "1:1", ids.A_ASK: "1:1"}
    assert labels(actions) == {
        ids.A_APPROVE: "Anfrage #1 genehmigen",
        ids.A_DECLINE: "Anfrage #1 ablehnen",
        ids.A_ASK: "Rückfrage zu Anfrage #1 stellen",
    }

    mark = settle(bot)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)  # the contact, in the DM
    text, actions = row(published(bot, since=mark), 1)
    assert "Beginnt am Di, 1. Dez. 2026; die Expert/innen von Bremen fehlen noch" in text
    assert "nicht entschieden" not in text
    assert row_buttons(actions) == {ids.A_NAME_EXPERTS: "1:2:bremen"}
    assert labels(actions) == {
        ids.A_NAME_EXPERTS: "Expert/innen von Bremen für Anfrage #1 benennen"
    }

    mark = settle(bot)
    click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)  # the topic contact
    status, body = submit_opened(
        bot, "U0BRE3", {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}}
    )
    assert status == 200 and not body
    assert status_of(bot, 1) == "matched"
    view = published(bot, since=mark)
    assert title(view) == "*:bell: Braucht Ihre Aufmerksamkeit (0)*" and rows(view) == []


def test_an_escalated_decision_is_decided_on_the_home_row_with_the_checks_of_the_dm(bot):
    open_home(bot)
    submit_request(bot, "U0REQ1", **LATER)
    assert rows(open_home(bot)) == []  # undecided, but neither escalated nor soon
    bot.clock.now = berlin(12, 3)  # 5 working days later
    remind_job(bot.services)
    bot.services.deliver()
    view = published(bot)
    text, actions = row(view, 1)
    assert (
        ":alarm_clock: Eskaliert: die Ansprechpartner/innen von Leipzig haben nicht entschieden"
        in text
    )
    assert row_buttons(actions) == {ids.A_APPROVE: "1:1", ids.A_DECLINE: "1:1", ids.A_ASK: "1:1"}

    # Somebody else clicking the row (a forged payload) is refused; nothing changes.
    home_click(bot, "U0OUT1", view, ids.A_APPROVE, "1:1")
    assert "Ansprechpartner/innen von Leipzig" in last_modal_text(bot)
    assert status_of(bot, 1) == "submitted"

    mark = settle(bot)
    home_click(bot, COORD, view, ids.A_DECLINE, "1:1")
    status, body = submit_opened(bot, COORD, text_state(ids.B_REASON, "Nicht förderfähig."))
    assert status == 200 and not body
    assert status_of(bot, 1) == "declined"
    assert rows(published(bot, since=mark)) == []
    # The requester heard it as from the DM.
    assert "Nicht förderfähig." in blocks_text(last_dm(bot, "U0REQ1").params["blocks"])
    # First click wins: the contact's click on a stale copy says who decided.
    home_click(bot, "U0LEI1", view, ids.A_APPROVE, "1:1")
    said = last_modal_text(bot)
    assert "<@U0COORD1>" in said and "bereits" in said
    assert status_of(bot, 1) == "declined"


def test_an_escalated_naming_is_named_on_the_home_row(bot):
    open_home(bot)
    request_id = seed(bot, date_from=date(2026, 12, 21), date_to=date(2026, 12, 23))
    assert rows(open_home(bot)) == []
    bot.clock.now = berlin(12, 3)
    remind_job(bot.services)
    bot.services.deliver()
    view = published(bot)
    text, actions = row(view, request_id)
    assert ":alarm_clock: Eskaliert: die Expert/innen von Bremen fehlen" in text
    value = f"{request_id}:2:bremen"
    assert row_buttons(actions) == {ids.A_NAME_EXPERTS: value}

    mark = settle(bot)
    home_click(bot, COORD, view, ids.A_NAME_EXPERTS, value)
    status, body = submit_opened(
        bot, COORD, {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP2"])}}
    )
    assert status == 200 and not body
    assert status_of(bot, request_id) == "matched"
    assert rows(published(bot, since=mark)) == []


def test_a_request_whose_contacts_are_all_away_waits_for_the_coordinators(bot):
    status, _ = bot.http.command(user_id="U0BRE1", text="vertretung bis 31.12.")
    assert status == 200
    open_home(bot)
    mark = settle(bot)
    submit_request(
        bot,
        "U0REQ2",
        view_id="VAWAY",
        **{
            ids.B_OWN_CITY: p.select_value("bremen", "Bremen"),
            ids.B_PARTNERS: p.multi_select_values(["leipzig"], ["Leipzig"]),
        },
    )
    view = published(bot, since=mark)
    text, _ = row(view, 1)
    assert ":palm_tree: Alle Ansprechpartner/innen von Bremen sind abwesend" in text
    mark = settle(bot)
    home_click(bot, COORD, view, ids.A_APPROVE, "1:1")
    assert status_of(bot, 1) == "approved"
    assert rows(published(bot, since=mark)) == []


BUDGETS = """
[[budget]]
year = 2026
amount_eur = 1000
"""


@pytest.fixture
def budget_bot(fake_slack, database_url, tmp_path: Path, clock):
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY + BUDGETS, encoding="utf-8")
    with running_bot(fake_slack, database_url, path, clock) as running:
        yield running


def test_a_request_referred_over_budget_waits_until_the_coordinator_decides_in_the_dm(
    budget_bot,
):
    bot = budget_bot
    seed(bot, state="approved", cost_eur=Decimal("700"))
    open_home(bot)
    submit_request(bot, "U0REQ1", view_id="VOVER")  # 450 € on top of 700 € of 1.000 €
    assert rows(open_home(bot)) == []  # the contacts decide, for now
    mark = settle(bot)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)  # refused: over budget
    view = published(bot, since=mark)
    text, actions = row(view, 2)
    assert ":moneybag: Über dem Reisebudget: die Koordination entscheidet" in text
    assert "Nach Genehmigung: *150,00 € über dem Budget*" in text
    assert row_buttons(actions) == {ids.A_APPROVE: "2:1", ids.A_DECLINE: "2:1", ids.A_ASK: "2:1"}

    mark = settle(bot)
    handed = last_dm(bot, COORD)
    click(bot, COORD, handed, ids.A_APPROVE)  # in the DM
    assert status_of(bot, 2) == "approved"
    assert rows(published(bot, since=mark)) == []


def _claimed(bot: Any) -> int:
    """A matched exchange over, its costs claimed (321 € in total); returns its id."""
    request_id = seed(bot, state="matched", cost_eur=Decimal("450"))  # 7–9 Dec
    open_home(bot)
    bot.clock.now = berlin(12, 10)
    reflect_job(bot.services)
    bot.services.deliver()
    prompt = [m for m in dms_to(bot, "U0REQ1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    click(bot, "U0REQ1", prompt[-1], ids.A_CLAIM)
    status, body = submit_opened(
        bot,
        "U0REQ1",
        {
            ids.B_CLAIM_AMOUNT: {ids.VALUE: p.text_value("321")},
            ids.B_CLAIM_BASIS: {ids.VALUE: p.radio_value("total", "total")},
            ids.B_CLAIM_NOTE: {ids.VALUE: p.text_value("")},
            ids.B_CLAIM_FILES: {ids.VALUE: {"type": "file_input", "files": []}},
        },
    )
    assert status == 200 and not body, body
    return request_id


def test_a_claim_waits_to_be_checked_then_to_be_paid(bot):
    request_id = _claimed(bot)
    view = published(bot)
    text, actions = row(view, request_id)
    assert ":receipt: Reisekosten prüfen: 321,00 €" in text
    check = f"{request_id}:2"  # the claim's version, as in the coordinators' DM
    assert row_buttons(actions) == {ids.A_CLAIM_CHECK: check, ids.A_CLAIM_QUESTION: check}
    assert labels(actions) == {
        ids.A_CLAIM_CHECK: f"Reisekosten von Anfrage #{request_id} als sachlich richtig markieren",
        ids.A_CLAIM_QUESTION: f"Rückfrage zu den Reisekosten von Anfrage #{request_id}",
    }

    # A contact clicking the row is refused as in the DM; nothing changes.
    home_click(bot, "U0LEI1", view, ids.A_CLAIM_CHECK, check)
    assert "Das kann nur die Koordination des Netzwerks." in last_modal_text(bot)

    mark = settle(bot)
    home_click(bot, COORD, view, ids.A_CLAIM_CHECK, check)
    with bot.session_factory() as s:
        assert s.get(CostClaim, request_id).status == "checked"
    text, actions = row(published(bot, since=mark), request_id)
    assert ":receipt: Reisekosten auszahlen: 321,00 € (sachlich richtig)" in text
    pay = f"{request_id}:3"
    assert row_buttons(actions) == {ids.A_CLAIM_QUESTION: pay, ids.A_CLAIM_PAID: pay}
    # The stale row's second click changes nothing and says where the claim stands.
    home_click(bot, COORD, view, ids.A_CLAIM_CHECK, check)
    assert "schon weiter (Stand: sachlich richtig, wird ausgezahlt)" in last_modal_text(bot)

    mark = settle(bot)
    copy = [m for m in dms_to(bot, COORD) if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])]
    click(bot, COORD, copy[-1], ids.A_CLAIM_PAID, value=pay)  # in the DM (updated since)
    with bot.session_factory() as s:
        assert s.get(CostClaim, request_id).status == "paid"
    assert rows(published(bot, since=mark)) == []


# --- the count and the order -----------------------------------------------------------------


def test_the_title_counts_everything_and_the_rows_wait_longest_first(bot):
    submit_request(bot, "U0REQ1", view_id="V1", **SOON)  # #1
    bot.clock.advance(minutes=5)
    submit_request(bot, "U0REQ1", view_id="V2", **dates("2026-12-02", "2026-12-02"))  # #2
    bot.clock.advance(minutes=5)
    # A question on #1: it waits for the requester's answer now, since this moment.
    click(bot, "U0LEI1", dms_to(bot, "U0LEI1")[0], ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Wer fährt mit?"))
    assert status_of(bot, 1) == "needs_info"
    view = open_home(bot)
    assert title(view) == "*:bell: Braucht Ihre Aufmerksamkeit (2)*"
    assert [text.split(" ", 1)[0] for text, _ in rows(view)] == ["*#2", "*#1"]
    text, actions = row(view, 1)
    assert "die Rückfrage an <@U0REQ1> ist noch offen" in text
    assert row_buttons(actions) == {}  # nothing to click for it, but its history
    # Past a screenful the rest is counted; the title counts them all.
    for _ in range(8):
        seed(bot, state="submitted", date_from=date(2026, 12, 3), date_to=date(2026, 12, 3))
    view = open_home(bot)
    assert title(view) == "*:bell: Braucht Ihre Aufmerksamkeit (10)*"
    assert [text.split(" ", 1)[0] for text, _ in rows(view)][:2] == ["*#2", "*#1"]
    assert len(rows(view)) == 8 and "… und 2 weitere" in blocks_text(section(view))
    assert len(view["blocks"]) <= 100


def test_english_reads_the_same(bot):
    bot.services.remember_language(COORD, "en-US")
    assert blocks_text(section(open_home(bot))) == (
        "*:bell: Needs your attention (0)*\nNothing is waiting for the coordinators right now."
    )
    submit_request(bot, "U0REQ1", **SOON)
    view = open_home(bot)
    assert title(view) == "*:bell: Needs your attention (1)*"
    text, actions = row(view, 1)
    assert ":hourglass: Starts on Tue, 1 Dec 2026 and is still undecided" in text
    assert "Requested by <@U0REQ1>" in text and "_waiting since <!date^" in text
    assert labels(actions) == {
        ids.A_APPROVE: "Approve request #1",
        ids.A_DECLINE: "Decline request #1",
        ids.A_ASK: "Ask a question about request #1",
    }


# --- the rules and the builder, without Slack --------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "soon"),
    [
        (date(2026, 11, 25), False),  # yesterday: it lapsed
        (date(2026, 11, 26), True),
        (date(2026, 12, 3), True),  # a week ahead
        (date(2026, 12, 4), False),
    ],
)
def test_starts_soon_is_today_to_a_week_ahead(first_day, soon):
    assert starts_soon(first_day, date(2026, 11, 26)) is soon


SUMMARY = Summary(
    id=7,
    version=3,
    status="submitted",
    requester_id="U0REQ1",
    title="Ü" * 150,
    question="?",
    topic_key="wohnen",
    format="workshop",
    direction="visit",
    own_city_key="leipzig",
    partner_keys=("bremen", "nuernberg"),
    date_from=date(2026, 12, 7),
    date_to=date(2026, 12, 9),
    travellers=2,
)


def test_oldest_first_is_by_waiting_time_then_request():
    at = datetime(2026, 11, 26, 9, tzinfo=UTC)
    later = datetime(2026, 11, 27, 9, tzinfo=UTC)
    items = [
        Waiting(SUMMARY.model_copy(update={"id": 3}), (Why.SOON,), later),
        Waiting(SUMMARY.model_copy(update={"id": 9}), (Why.ESCALATED,), at),
        Waiting(SUMMARY.model_copy(update={"id": 2}), (Why.SOON,), later),
    ]
    assert [w.request.id for w in oldest_first(items)] == [9, 2, 3]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_kind_of_row_is_valid_block_kit(lang):
    directory = parse_directory(DIRECTORY)
    at = datetime(2026, 11, 26, 9, tzinfo=UTC)
    approved = SUMMARY.model_copy(update={"status": "approved"})
    matched = SUMMARY.model_copy(update={"status": "matched"})
    claim = Claim(7, "claimed", 2, amount_cents=32_100, travelling=2)
    line = BudgetLine(
        year=2026, city="", amount_cents=100_000, committed_cents=70_000, estimate_cents=45_000
    )
    items = (
        Waiting(SUMMARY, (Why.REFERRED, Why.ESCALATED, Why.AWAY, Why.SOON), at, budget=line),
        Waiting(approved, (Why.NAMING_ESCALATED, Why.SOON), at, missing=("bremen", "nuernberg")),
        Waiting(SUMMARY.model_copy(update={"status": "needs_info"}), (Why.SOON,), at),
        Waiting(matched, (Why.CLAIM_CHECK,), at, claim=claim),
        Waiting(matched, (Why.CLAIM_PAY,), at, claim=Claim(7, "checked", 3, amount_cents=1)),
    )
    data = HomeData(
        mine=[],
        mine_total=0,
        to_decide=[],
        to_decide_total=0,
        to_name=[],
        upcoming=[],
        upcoming_total=0,
    )
    view = home_view(data, directory, lang, attention=Attention(items, 12), tz=BERLIN)
    assert View(**view).to_dict() == view
    text = blocks_text(view["blocks"])
    assert "(12)" in text and ("… und 7 weitere" in text or "… and 7 more" in text)
    # Each row's buttons have their own block ids; screen readers hear which request.
    rows_actions = [b for b in section(view) if b["type"] == "actions"]
    block_ids = [b["block_id"] for b in rows_actions]
    # (Five rows with buttons, and the row waiting for the requester with its Verlauf only.)
    assert len(block_ids) == len(set(block_ids)) == 6
    for element in [e for b in rows_actions for e in b["elements"]]:
        assert "#7" in element["accessibility_label"]


def test_every_row_opens_the_requests_history_for_a_coordinator_only(bot):
    open_home(bot)
    submit_request(bot, "U0REQ1", **LATER)
    bot.clock.now = berlin(12, 3)  # escalated: a row with buttons
    remind_job(bot.services)
    bot.services.deliver()
    view = published(bot)
    _, actions = row(view, 1)
    assert actions[-1]["elements"][-1]["accessibility_label"] == (
        "Verlauf der Anfrage #1: wer hat wann was getan"
    )

    bot.slack.clear()
    home_click(bot, COORD, view, ids.A_HISTORY_OPEN, "1")
    [opened] = bot.slack.delivered("views.open")
    shown = blocks_text(bot.slack.view(opened.response["view"]["id"])["blocks"])
    assert "<@U0REQ1>" in shown and "eingereicht" in shown

    bot.slack.clear()
    home_click(bot, "U0REQ1", view, ids.A_HISTORY_OPEN, "1")
    [opened] = bot.slack.delivered("views.open")
    refused = blocks_text(bot.slack.view(opened.response["view"]["id"])["blocks"])
    assert "<@U0REQ1>" not in refused
