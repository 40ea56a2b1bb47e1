"""The performance suite, small, so that it cannot rot: correctness only, never time.

It starts the bot under gunicorn as `python -m tests.bench --quick` does and checks
that every request was answered and did what it should; the timings are not asserted.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.bench import report
from tests.bench.__main__ import parse
from tests.bench.suite import Outcome, ServerRun, run_suite

REQUESTS = 100
# Fewer clients than the suite's 20: every ack stays far inside Bolt's 3 s, past which
# Bolt answers 404 (a matter of time, which this test must not depend on). With 8, on two
# cores shared with the fake Slack and the clients, a burst's ack took over 3 s once in
# CI (each ack well under 1 s here); 4 keep the queue short and still overlap every step.
CLIENTS = 4
# What only the timings need is cut short: one cold start per server (the bench takes three
# for a median), 10 paced submissions at its 10/s (the bench: 50), 100 outbox rows, and
# 0.2 s without a call counts as quiet between phases (the bench: 0.5 s, so that a phase's
# aftermath stays out of the next one's CPU). Every count asserted below is still asserted.


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    options = dataclasses.replace(
        parse(["--quick", "--database", "sqlite"]),
        requests=REQUESTS,
        clients=CLIENTS,
        scale_repeats=2,
        warmup=10,
        sequential=3,
        sequential_warmup=2,
        cold_starts=1,
        paced=10,
        outbox_rows=100,
        quiet=0.2,
    )
    return run_suite(options, log=lambda _line: None)


def test_every_check_of_the_suite_passed(outcome: Outcome) -> None:
    assert outcome.problems() == []


def test_every_command_was_answered_and_opened_a_modal(outcome: Outcome) -> None:
    for server in (outcome.bare, outcome.databases[0].ours):
        assert server is not None
        commands = server.phases["commands"]
        assert [s.status for s in commands.run.samples] == [200] * REQUESTS
        assert commands.follow is not None and commands.follow.n == REQUESTS  # views.open each


def test_every_submission_stored_one_request_and_reached_both_contacts(outcome: Outcome) -> None:
    ours = outcome.databases[0].ours
    assert ours is not None
    submissions = ours.phases["submissions"]
    assert [s.status for s in submissions.run.samples] == [200] * REQUESTS
    assert all(not s.body for s in submissions.run.samples)  # a plain ack: no form errors
    assert submissions.follow is not None and submissions.follow.n == REQUESTS  # both DMs each
    paced = ours.phases["paced"]
    assert [s.status for s in paced.run.samples] == [200] * len(paced.run.samples)
    assert paced.follow is not None and paced.follow.n == len(paced.run.samples) > 0


def test_every_click_was_answered(outcome: Outcome) -> None:
    ours = outcome.databases[0].ours
    assert ours is not None
    assert [s.status for s in ours.phases["clicks"].run.samples] == [200] * REQUESTS


def test_the_bot_kept_its_connections_to_the_fake_open(outcome: Outcome) -> None:
    """The main table's fake keeps connections alive as Slack does: after the warm-up the
    bot opens (almost) no new one, however many calls the loads cause."""
    ours = outcome.databases[0].ours
    assert ours is not None
    phases = [ours.phases[k] for k in ("commands", "paced", "submissions", "clicks")]
    calls = sum(p.calls for p in phases)
    assert calls >= REQUESTS * 3  # views.open each, the submissions' DMs, the clicks' updates
    assert sum(p.connections for p in phases) <= 0.05 * calls


def test_the_table_has_every_row(outcome: Outcome) -> None:
    printed: list[str] = []
    report.render(outcome, printed.append)
    text = "\n".join(printed)
    # The main table's rows (the one-person-at-a-time table follows it).
    rows = [line for line in report.table(outcome).splitlines() if line.startswith("| ")][1:]
    for measure in report.MEASURES:
        assert any(row.startswith(f"| {measure}") for row in rows), measure
    assert len(rows) == len(report.MEASURES)  # one database, so one row each
    builds = {b.name: b for b in outcome.databases[0].builds}
    assert builds["home"].seconds and builds["home"].plans, builds["home"].available
    assert "command: `python -m tests.bench --quick --database sqlite`" in text


def test_one_person_at_a_time_was_measured_over_plain_http_and_tls(outcome: Outcome) -> None:
    assert [(run.database, run.transport) for run in outcome.sequential] == [
        ("sqlite", "plain HTTP"),
        ("sqlite", "TLS"),
    ]
    for run in outcome.sequential:
        assert run.calls >= 3 * 3  # each submission's receipt and two DMs, at least
        assert run.submission_cpu > 0 and run.click_cpu > 0
    rows = report.sequential_table(outcome).splitlines()
    assert [r.split(" | ")[0] for r in rows if r.startswith("| ") and "---" not in r] == [
        "| measure",
        "| new connections per Slack call (after warm-up) (SQLite)",
        "| server CPU per submission, aftermath included (SQLite)",
        "| server CPU per approve click, aftermath included (SQLite)",
    ]


def test_one_person_at_a_time_has_a_block_per_database_with_its_own_target() -> None:
    """PostgreSQL's rows follow SQLite's, each against its own target (10 / 12 ms); a
    database that could not be reached says why instead of numbers."""
    from tests.bench.sequential import Sequential

    options = parse(["--only-sequential"])
    runs = [
        Sequential(db, transport, 40, submission_cpu=0.011, click_cpu=0.011, calls=360)
        for db in ("sqlite", "postgresql")
        for transport in ("plain HTTP", "TLS")
    ]
    rows = report.sequential_table(Outcome(options, ServerRun([]), [], runs)).splitlines()
    cpu = {r.split(" | ")[0][2:]: r.split(" | ")[-1] for r in rows if "server CPU" in r}
    assert cpu == {
        "server CPU per submission, aftermath included (SQLite)": "**no** |",
        "server CPU per approve click, aftermath included (SQLite)": "**no** |",
        "server CPU per submission, aftermath included (PostgreSQL)": "yes |",
        "server CPU per approve click, aftermath included (PostgreSQL)": "yes |",
    }
    down = [
        *runs[:2],
        *(dataclasses.replace(r, available="PostgreSQL not reachable") for r in runs[2:]),
    ]
    table = report.sequential_table(Outcome(options, ServerRun([]), [], down))
    assert "| server CPU per action (PostgreSQL) | PostgreSQL not reachable |" in table


def test_the_side_by_side_table_answers_every_command_of_both_apps(outcome: Outcome) -> None:
    """`/cr-request` against bare Bolt in turns: every request of both apps answered, and
    one row for the database with both apps' figures and their ratio."""
    [run] = outcome.versus
    wanted = run.turns * outcome.options.versus_per_turn
    assert run.ours is not None and run.bare is not None
    assert run.ours.n == run.bare.n == wanted > 0
    [row] = [
        line for line in report.versus_table(outcome).splitlines() if line.startswith("| SQLite")
    ]
    assert f"{wanted:,} / {wanted:,} acks" in row and "server CPU" in row and " · ×" in row
