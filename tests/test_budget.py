"""Travel budgets: the directory file's [[budget]], the figures in the decision message and
on the Home tab, the over-budget rule and its hand-over, and two approvals at once."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot.domain.budget import BudgetInfo, BudgetLine
from bot.domain.errors import Refused
from bot.infra.directory_file import check_directory, parse_directory
from bot.slack import ids
from bot.slack.budget import budget_text
from bot.texts import fmt_cents, fmt_money
from bot.usecases import decisions
from models import AuditEntry, ExchangeRequest
from tests import payloads as p
from tests.conftest import DIRECTORY, running_bot
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, replies, submit_request
from tests.seed import seed

BUDGETS = """
[[budget]]
year = 2026
amount_eur = 1000

[[budget]]
year = 2027
amount_eur = 500

[[budget]]
year = 2028
amount_eur = 500

[[budget]]
year = 2029
amount_eur = 500

[[budget]]
year = 2026
city = "nuernberg"
amount_eur = 250.5
"""


@pytest.fixture
def budget_bot(fake_slack, database_url, tmp_path: Path, clock):
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY + BUDGETS, encoding="utf-8")
    with running_bot(fake_slack, database_url, path, clock) as running:
        yield running


# --- the directory file and money --------------------------------------------------------


def test_budgets_are_read_from_the_directory_file():
    directory = parse_directory(DIRECTORY + BUDGETS)
    assert directory.budget_for(2026, "leipzig") == BudgetInfo(2026, 100_000)
    assert directory.budget_for(2026, "nuernberg") == BudgetInfo(2026, 25_050, "nuernberg")
    assert directory.budget_for(2030, "leipzig") is None


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('year = "2027"\namount_eur = 1', "[[budget]] #1, field year: must be a year like 2027"),
        ("year = 2027", "[[budget]] #1, field amount_eur: missing (required)"),
        ('year = 2027\namount_eur = "20.000"', "field amount_eur: must be a number of euros"),
        ("year = 2027\namount_eur = -5", "field amount_eur: must be between 0 and"),
        ("year = 2027\namount_eur = 1.005", "field amount_eur: at most two decimals"),
        ('year = 2027\namount_eur = 1\ncity = "berlin"', 'field city: unknown city key "berlin"'),
        ("year = 2027\namount_eur = 1\nmonth = 3", "field month: unknown field"),
    ],
)
def test_directory_check_names_the_budget_entry_and_field(entry, expected):
    problems = [str(p) for p in check_directory(DIRECTORY + "\n[[budget]]\n" + entry)]
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_second_budget_for_the_same_year_and_city_is_a_problem():
    text = DIRECTORY + "\n[[budget]]\nyear = 2027\namount_eur = 1\n" * 2
    [problem] = [str(p) for p in check_directory(text)]
    assert "[[budget]] #2, field year: the network has a budget for 2027 already in" in problem


@pytest.mark.parametrize(
    ("cents", "lang", "expected"),
    [
        (2_000_000, "de", "20.000,00 €"),
        (2_000_000, "en", "€20,000.00"),
        (5, "de", "0,05 €"),
        (-25_050, "de", "-250,50 €"),
        (123_456_789, "en", "€1,234,567.89"),
    ],
)
def test_money_in_german_and_english(cents, lang, expected):
    assert fmt_cents(cents, lang) == expected
    # The form's estimate (euros) reads the same as the budget's cents.
    assert fmt_money(Decimal(cents) / 100, lang) == expected


def test_budget_lines_in_english_and_without_an_estimate():
    directory = parse_directory(DIRECTORY + BUDGETS)
    line = BudgetLine(2026, "", 100_000, 30_000, None)
    text = budget_text(line, directory, "en")
    assert "Travel budget 2026 (koopstadt)" in text
    assert "Budget: €1,000.00" in text and "Already committed: €300.00" in text
    assert "no cost estimate" in text and "Remaining after approval: €700.00" in text
    german = budget_text(line, directory, "de")
    assert "keine Kostenschätzung" in german and "Verbleibend nach Genehmigung: 700,00 €" in german
    # Over budget: by how much, not a negative remainder.
    over = BudgetLine(2026, "", 100_000, 70_000, 45_000)
    assert budget_text(over, directory, "de").splitlines()[-2:] == [
        "Nach Genehmigung: *150,00 € über dem Budget*",
        ":warning: Die Genehmigung würde das Budget überschreiten – genehmigen kann dann nur "
        "die Koordination.",
    ]
    assert "After approval: *€150.00 over budget*" in budget_text(over, directory, "en")
    assert "-" not in budget_text(over, directory, "en")


# --- what contacts see -------------------------------------------------------------------


def test_decision_message_and_home_tab_show_the_budget_of_the_requests_year(budget_bot):
    bot = budget_bot
    seed(bot, state="approved", cost_eur=Decimal("300"))  # committed
    seed(bot, state="declined", cost_eur=Decimal("99"))  # not committed
    submit_request(bot, "U0REQ1", view_id="VBUDGET")  # 450 €, December 2026

    message = last_dm(bot, "U0LEI1")
    text = blocks_text(message.params["blocks"])
    for line in (
        "Reisebudget 2026 (koopstadt)",
        "Budget: 1.000,00 €",
        "Bereits gebunden: 300,00 €",
        "Diese Anfrage: 450,00 €",
        "Verbleibend nach Genehmigung: 250,00 €",
    ):
        assert line in text
    assert "überschreiten" not in text
    # The figures sit just above the buttons.
    blocks = message.params["blocks"]
    assert blocks[-1]["type"] == "actions" and "Reisebudget" in blocks_text([blocks[-2]])

    bot.http.event(p.app_home_opened(user_id="U0LEI1"))
    home = bot.slack.delivered("views.publish")[-1].params["view"]
    home_text = blocks_text(home["blocks"])
    assert "Warten auf Ihre Entscheidung" in home_text
    assert "Bereits gebunden: 300,00 €" in home_text
    assert "Verbleibend nach Genehmigung: 250,00 €" in home_text


def test_no_estimate_and_no_budget_year(budget_bot):
    bot = budget_bot
    seed(bot, state="submitted", cost_eur=None)
    assert "keine Kostenschätzung" in blocks_text(last_dm(bot, "U0LEI1").params["blocks"])
    seed(bot, state="submitted", date_from=date(2031, 3, 2), date_to=date(2031, 3, 3))
    assert "Reisebudget" not in blocks_text(last_dm(bot, "U0LEI1").params["blocks"])


def test_a_city_share_counts_only_that_city(budget_bot):
    bot = budget_bot
    seed(bot, state="approved", cost_eur=Decimal("300"))  # Leipzig: the network's budget
    seed(bot, state="submitted", own="nuernberg", partners=("bremen",), cost_eur=Decimal("50"))
    text = blocks_text(last_dm(bot, "U0NUE1").params["blocks"])
    assert "Reisebudget 2026 (Nürnberg)" in text
    assert "Budget: 250,50 €" in text and "Bereits gebunden: 0,00 €" in text
    assert "Verbleibend nach Genehmigung: 200,50 €" in text


# --- over budget ---------------------------------------------------------------------------


def test_over_budget_a_contact_is_refused_and_the_coordinators_decide(budget_bot):
    bot = budget_bot
    seed(bot, state="approved", cost_eur=Decimal("700"))
    submit_request(bot, "U0REQ1", view_id="VOVER")  # 450 € on top of 700 € of 1.000 €
    with bot.session_factory() as s:
        request_id = max(r.id for r in s.exec(select(ExchangeRequest)).all())
    message = last_dm(bot, "U0LEI1")
    assert "Die Genehmigung würde das Budget überschreiten" in blocks_text(message.params["blocks"])
    coordinator_dms = len(dms_to(bot, "U0COORD1"))

    status, _ = click(bot, "U0LEI1", message, ids.A_APPROVE)

    assert status == 200
    [reply] = replies(bot)
    assert reply == (
        f":moneybag: Sie können *#{request_id}* nicht genehmigen: Das Reisebudget 2026 "
        "(koopstadt) reicht nicht. Budget 1.000,00 €, bereits gebunden 700,00 €, diese Anfrage "
        "450,00 € – das wären 150,00 € über dem Budget. Die Anfrage ist mit diesen Zahlen an "
        "die Koordination gegangen; sie entscheidet jetzt, Sie müssen nichts weiter tun."
    )
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "submitted"
    handed = dms_to(bot, "U0COORD1")[coordinator_dms:]
    assert len(handed) == 1
    push = handed[0].params["text"]
    assert push.startswith(f"Über Budget, bitte entscheiden: #{request_id}")
    text = blocks_text(handed[0].params["blocks"])
    assert "<@U0LEI1> wollte die C+R-Anfrage" in text
    assert "Nach Genehmigung: *150,00 € über dem Budget*" in text
    assert set(buttons(handed[0].params["blocks"])) == {
        ids.A_APPROVE,
        ids.A_DECLINE,
        ids.A_ASK,
        ids.A_HISTORY_OPEN,  # the coordinators' *Verlauf*
    }

    # A second click is refused again; the coordinators are not asked twice.
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_APPROVE, name="r2")
    assert "das wären 150,00 € über dem Budget" in replies(bot, "r2")[0]
    assert len(dms_to(bot, "U0COORD1")) == coordinator_dms + 1

    status, _ = click(bot, "U0COORD1", handed[0], ids.A_APPROVE, name="c")
    assert status == 200 and replies(bot, "c") == []
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "approved"
        audit = s.exec(
            select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)
        ).all()
    assert [(a.actor, a.action, a.comment) for a in audit][-2:] == [
        ("U0LEI1", "over_budget", "referred to the coordinators"),
        ("U0COORD1", "approve", "over budget"),
    ]
    # Every copy with buttons, the contacts' and the coordinator's, now says who approved.
    assert "Genehmigt" in blocks_text(bot.slack.delivered("chat.update")[-1].params["blocks"])


def test_two_contacts_approving_at_once_get_only_what_fits(budget_bot):
    """Leipzig and Bremen share the network's 500 € of a year; each request is 300 €."""
    bot = budget_bot
    for year in (2027, 2028, 2029):
        first = seed(
            bot,
            state="submitted",
            date_from=date(year, 5, 3),
            date_to=date(year, 5, 4),
            cost_eur=Decimal("300"),
        )
        second = seed(
            bot,
            state="submitted",
            requester="U0REQ2",
            own="bremen",
            partners=("leipzig",),
            date_from=date(year, 6, 7),
            date_to=date(year, 6, 8),
            cost_eur=Decimal("300"),
        )
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def approve(user: str, request_id: int, barrier=barrier, outcomes=outcomes) -> None:
            barrier.wait()
            try:
                decisions.decide(
                    bot.session_factory,
                    request_id,
                    1,
                    "approve",
                    actor=user,
                    ctx=bot.services.context(),
                    now=bot.clock(),
                )
                outcomes.append("approved")
            except Refused as refused:
                outcomes.append(refused.key)

        threads = [
            threading.Thread(target=approve, args=("U0LEI1", first)),
            threading.Thread(target=approve, args=("U0BRE1", second)),
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert sorted(outcomes) == ["approved", "refused.over_budget"], (year, outcomes)
        with bot.session_factory() as s:
            statuses = sorted(s.get(ExchangeRequest, i).status for i in (first, second))
        assert statuses == ["approved", "submitted"]


def test_budgets_sync_once_and_leave_the_file_inactive(session_factory):
    from bot.usecases.directory import load_directory, sync_directory
    from tests.conftest import NOW

    with_budgets = parse_directory(DIRECTORY + BUDGETS)
    first = sync_directory(session_factory, with_budgets, now=NOW)
    assert first.budgets.added == 5
    assert str(sync_directory(session_factory, with_budgets, now=NOW)) == (
        "directory synced: nothing changed"
    )
    assert set(load_directory(session_factory).budgets) == set(with_budgets.budgets)
    report = sync_directory(session_factory, parse_directory(DIRECTORY), now=NOW)
    assert "budgets 5 deactivated" in str(report)
    assert load_directory(session_factory).budgets == ()


def test_a_request_that_costs_nothing_is_approved_however_far_over_the_budget_is(budget_bot):
    """Finding 2 of issue 21: an online exchange, nobody travelling, no estimate: the year is
    750 € over budget already, yet it takes nothing more, so the contact approves it."""
    bot = budget_bot
    big = seed(bot, state="submitted", cost_eur=Decimal("1750"))  # 2026: 1.000 € budget
    decisions.decide(
        bot.session_factory,
        big,
        1,
        "approve",
        actor="U0COORD1",  # over budget: the coordinators approved it
        ctx=bot.services.context(),
        now=bot.clock(),
    )
    bot.services.deliver()
    status, _ = submit_request(
        bot,
        "U0REQ1",
        view_id="VFREE",
        **{
            ids.B_FORMAT: p.select_value("online", "Online"),
            ids.B_DIRECTION: p.radio_value("online", "Online"),
            ids.B_TRAVELLERS: p.number_value("0"),
            ids.B_COST: p.text_value(None),
        },
    )
    assert status == 200
    with bot.session_factory() as s:
        request_id = max(r.id for r in s.exec(select(ExchangeRequest)).all())
        assert s.get(ExchangeRequest, request_id).cost_eur is None
    message = last_dm(bot, "U0LEI1")
    text = blocks_text(message.params["blocks"])
    assert "keine Kostenschätzung" in text and "Bereits gebunden: 1.750,00 €" in text
    # The figures are honest (the year is over), but nothing holds the approval up.
    assert "Nach Genehmigung: *750,00 € über dem Budget*" in text
    assert "überschreiten" not in text and "nur die Koordination" not in text
    coordinator_dms = len(dms_to(bot, "U0COORD1"))

    status, _ = click(bot, "U0LEI1", message, ids.A_APPROVE)

    assert status == 200 and replies(bot) == []  # no "das wären 750,00 € über dem Budget"
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "approved"
        actions = [
            (a.actor, a.action, a.comment)
            for a in s.exec(select(AuditEntry).where(AuditEntry.request_id == request_id))
        ]
    assert ("U0LEI1", "approve", None) in actions
    assert not any(action == "over_budget" for _actor, action, _comment in actions)
    # The requester hears of the approval, the partner city is asked to name its experts,
    # and the coordinators only get the note for their information (no referral).
    approved = last_dm(bot, "U0REQ1")
    assert f"Ihre Anfrage *#{request_id}* wurde von <@U0LEI1> genehmigt" in blocks_text(
        approved.params["blocks"]
    )
    assert "genehmigt" in approved.params["text"]
    naming = last_dm(bot, "U0BRE3")
    assert f"Die C+R-Anfrage *#{request_id}* aus Leipzig ist genehmigt" in blocks_text(
        naming.params["blocks"]
    )
    assert ids.A_NAME_EXPERTS in buttons(naming.params["blocks"])
    told = dms_to(bot, "U0COORD1")[coordinator_dms:]
    assert len(told) == 1
    assert not told[0].params["text"].startswith("Über Budget")
    assert f"Zur Info: Anfrage *#{request_id}* wurde von <@U0LEI1>" in blocks_text(
        told[0].params["blocks"]
    )
    assert ids.A_APPROVE not in buttons(told[0].params["blocks"])
