"""The yearly report's budget columns over a seeded year: per city and for the network's
budget, budget, estimated, claimed, checked, paid, remaining — in CSV, Markdown and the
Slack message of `/cr-request report`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.render.report import report_csv, report_markdown
from bot.slack.report_message import report_message
from bot.usecases.report import BudgetRow, yearly_report
from models import Budget, CostClaim
from tests.test_report import TZ, run_cli, sections, seed, valid

AT = datetime(2026, 12, 10, 9, tzinfo=UTC)
HEADER = [
    "Stadt",
    "Budget",
    "geschätzt",
    "gemeldet",
    "sachlich richtig",
    "ausgezahlt",
    "verbleibend",
]


def seed_money(session_factory) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        s.add(Budget(year=2026, amount_cents=500_000, updated_at=AT))
        s.add(Budget(year=2026, city_key="nuernberg", amount_cents=30_000, updated_at=AT))
        s.add(Budget(year=2027, amount_cents=1, updated_at=AT))  # another year
        s.add(Budget(year=2026, city_key="bremen", amount_cents=9, active=False, updated_at=AT))
        # r1 (Leipzig, 450 € estimated) paid 420 €; r8 (Leipzig, 800 €) checked 780 €;
        # r2 (Bremen, 1.200,50 €) claimed 1.250 €; r10 is 2025's.
        for name, status, cents in (
            ("r1", "paid", 42_000),
            ("r8", "checked", 78_000),
            ("r2", "claimed", 125_000),
            ("r10", "paid", 150_000),
        ):
            s.add(
                CostClaim(
                    request_id=ids[name],
                    status=status,
                    amount_cents=cents,
                    asked_at=AT,
                    updated_at=AT,
                )
            )


def test_the_budget_columns_of_a_seeded_year(session_factory):
    seed_money(session_factory)
    report = yearly_report(session_factory, 2026, tz=TZ)
    assert report.budget_rows == [
        BudgetRow("bremen", None, 120_050, 125_000, 0, 0, 125_000),
        BudgetRow("leipzig", None, 125_000, 120_000, 120_000, 42_000, 120_000),
        BudgetRow("nuernberg", 30_000, 0, 0, 0, 0, 0),
        BudgetRow("", 500_000, 245_050, 245_000, 120_000, 42_000, 245_000),
    ]
    assert report.budget_rows[-1].remaining_cents == 255_000

    csv_text = report_csv(report)
    assert sections(csv_text)["Reisebudget nach Stadt (EUR)"] == [
        HEADER,
        ["Bremen", "", "1200,50", "1250,00", "0,00", "0,00", ""],
        ["Leipzig", "", "1250,00", "1200,00", "1200,00", "420,00", ""],
        ["Nürnberg", "300,00", "0,00", "0,00", "0,00", "0,00", "300,00"],
        ["koopstadt (Netzwerk)", "5000,00", "2450,50", "2450,00", "1200,00", "420,00", "2550,00"],
    ]
    points = sections(report_csv(report, separator=","), ",")["Reisebudget nach Stadt (EUR)"]
    assert points[-1][-1] == "2550.00"

    markdown = report_markdown(report, "en")
    assert "## Travel budget by city" in markdown
    assert (
        "| koopstadt (network) | €5,000.00 | €2,450.50 | €2,450.00 | €1,200.00 | €420.00 "
        "| €2,550.00 |" in markdown
    )


def test_the_cli_and_the_slash_command_show_the_budget(session_factory, capsys):
    seed_money(session_factory)
    assert run_cli(["report", "--year", "2026", "--format", "markdown"], session_factory) == 0
    german = capsys.readouterr().out
    assert "## Reisebudget nach Stadt" in german
    assert "| Nürnberg | 300,00 € | 0,00 € | 0,00 € | 0,00 € | 0,00 € | 300,00 € |" in german

    message = report_message(yearly_report(session_factory, 2026, tz=TZ), "de")
    valid(message)
    texts = "\n".join(b.get("text", {}).get("text", "") for b in message["blocks"])
    assert "*Reisebudget nach Stadt*" in texts
    assert (
        "• koopstadt (Netzwerk): Budget *5.000,00 €* · geschätzt *2.450,50 €* · "
        "gemeldet *2.450,00 €* · sachlich richtig *1.200,00 €* · ausgezahlt *420,00 €* · "
        "verbleibend *2.550,00 €*"
    ) in texts
    assert "• Bremen: Budget *–* · geschätzt *1.200,50 €*" in texts


def test_a_year_without_budgets_or_exchanges(session_factory):
    seed_money(session_factory)
    empty = yearly_report(session_factory, 2020, tz=TZ)
    assert empty.budget_rows == []
    assert "_keine_" in report_markdown(empty).split("## Reisebudget nach Stadt")[1]
