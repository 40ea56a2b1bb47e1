"""The yearly report over a seeded year: the numbers, CSV (as the CLI writes it),
Markdown and the Slack message."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block

from bot.entry.cli_admin import build_parser, dispatch
from bot.infra.db import SessionFactory
from bot.infra.settings import Settings
from bot.render.report import report_csv, report_markdown
from bot.slack.report_message import report_message, report_year
from bot.usecases.report import Report, yearly_report
from models import (
    ActionMessage,
    AuditEntry,
    City,
    DirectoryRole,
    ExchangeRequest,
    Expert,
    Network,
    OutboxMessage,
    Reflection,
    RequestPartner,
    Topic,
)

TZ = ZoneInfo("Europe/Berlin")
BOM = b"\xef\xbb\xbf"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# name: (requester, status, own city, partners, topic, format, created, decided (by, at),
#        status changed, date_from, travellers, cost)
REQUESTS = {
    # filed and held in 2026, completed; decided after 24 h
    "r1": ("U0REQ1", "completed", "leipzig", ["bremen"], "wohnen", "workshop",
           utc(2026, 1, 10, 8), ("U0LEI1", utc(2026, 1, 11, 8)), utc(2026, 2, 5, 12),
           date(2026, 2, 2), 2, Decimal("450.00")),
    # two partner cities: counts for both city pairs; 6 h
    "r2": ("U0REQ2", "matched", "bremen", ["leipzig", "nuernberg"], "mobilitaet", "site_visit",
           utc(2026, 3, 1, 10), ("U0BRE1", utc(2026, 3, 1, 16)), utc(2026, 3, 9, 10),
           date(2026, 12, 1), 3, Decimal("1200.50")),
    # approved after 48 h, no cost estimate; nobody named experts by its first day: it
    # lapsed (did not take place), not an exchange
    "r3": ("U0REQ3", "lapsed", "nuernberg", ["leipzig"], "wohnen", "online",
           utc(2026, 5, 5, 7), ("U0NUE1", utc(2026, 5, 7, 7)), utc(2026, 5, 7, 7),
           date(2026, 6, 10), 1, None),
    # declined after 12 h: a decision, not an exchange
    "r4": ("U0REQ1", "declined", "leipzig", ["nuernberg"], "wohnen", "bilateral",
           utc(2026, 4, 1, 12), ("U0LEI1", utc(2026, 4, 2, 0)), utc(2026, 4, 2, 0),
           date(2026, 5, 4), 2, Decimal("300.00")),
    # approved after 3 h, then cancelled (recently): a decision, not an exchange
    "r5": ("U0REQ2", "cancelled", "leipzig", ["bremen"], "wohnen", "workshop",
           utc(2026, 6, 1, 9), ("U0LEI2", utc(2026, 6, 1, 12)), utc(2026, 6, 15, 9),
           date(2026, 7, 1), 5, Decimal("999.00")),
    # still open
    "r6": ("U0REQ1", "submitted", "leipzig", ["bremen"], "wohnen", "workshop",
           utc(2026, 11, 20, 9), None, utc(2026, 11, 20, 9), date(2027, 2, 1), 1, None),
    "r7": ("U0REQ2", "needs_info", "bremen", ["leipzig"], "wohnen", "workshop",
           utc(2026, 10, 1, 9), None, utc(2026, 10, 2, 9), date(2027, 3, 1), 1, None),
    # 31 Dec 2025 23:30 UTC is 1 Jan 2026 in Berlin: filed in 2026; decided after 25 h
    "r8": ("U0REQ2", "completed", "leipzig", ["bremen"], "mobilitaet", "workshop",
           utc(2025, 12, 31, 23, 30), ("U0LEI1", utc(2026, 1, 2, 0, 30)), utc(2026, 1, 25, 9),
           date(2026, 1, 20), 4, Decimal("800.00")),
    # 31 Dec 2026 23:30 UTC is 2027 in Berlin, and it starts in 2027: not in the 2026 report
    "r9": ("U0REQ3", "approved", "leipzig", ["bremen"], "wohnen", "workshop",
           utc(2026, 12, 31, 23, 30), ("U0LEI1", utc(2027, 1, 1, 8)), utc(2027, 1, 1, 8),
           date(2027, 1, 15), 2, Decimal("100.00")),
    # a 2025 exchange
    "r10": ("U0REQ1", "completed", "bremen", ["nuernberg"], "mobilitaet", "public_event",
            utc(2025, 3, 1, 9), ("U0BRE1", utc(2025, 3, 2, 9)), utc(2025, 4, 5, 9),
            date(2025, 4, 1), 6, Decimal("1500.00")),
}  # fmt: skip

# (request, user, rating, recommend, worked, not worked)
REFLECTIONS = [
    ("r1", "U0REQ1", 5, True, "Sehr konkret", "Zu kurz"),
    ("r1", "U0BRE7", 4, True, "Gute Fragen", None),
    ("r8", "U0REQ2", 3, False, "Ganz gut", "Termin knapp"),
    ("r8", "U0BRE8", 2, None, None, "Wenig Zeit"),
    ("r10", "U0REQ1", 1, False, "—", "—"),  # 2025
]

# (request, city, expert, named by, note)
EXPERTS = [
    ("r1", "bremen", "U0BRE7", "U0BRE1", "Kennt die Quartiersschulen in Gröpelingen"),
    ("r1", "bremen", "U0BRE9", "U0BRE1", None),
    ("r2", "leipzig", "U0LEI3", "U0LEI1", "Mobilitätsstationen"),
    ("r8", "bremen", "U0BRE8", "U0BRE3", None),
]


def seed(session_factory: SessionFactory) -> dict[str, int]:
    """The seeded years (2025, 2026, a bit of 2027); returns request ids by name."""
    ids: dict[str, int] = {}
    with session_factory.begin() as s:
        s.add(Network(name="koopstadt"))
        for key, name in (("bremen", "Bremen"), ("leipzig", "Leipzig"), ("nuernberg", "Nürnberg")):
            s.add(City(key=key, name=name))
        s.add(Topic(key="wohnen", name="Wohnen", name_en="Housing"))
        s.add(Topic(key="mobilitaet", name="Mobilität", name_en="Mobility"))
        s.add(DirectoryRole(role="contact", user_id="U0LEI1", city_key="leipzig"))
        s.add(DirectoryRole(role="coordinator", user_id="U0COORD1"))
        for name, row in REQUESTS.items():
            (
                requester,
                status,
                own,
                partners,
                topic,
                fmt,
                created,
                decision,
                changed,
                date_from,
                travellers,
                cost,
            ) = row
            request = ExchangeRequest(
                title=f"Titel {name}",
                question=f"Frage {name} von {requester}",
                topic_key=topic,
                format=fmt,
                direction="visit",
                own_city_key=own,
                date_from=date_from,
                date_to=date_from,
                travellers=travellers,
                cost_eur=cost,
                requester_id=requester,
                status=status,
                created_at=created,
                status_changed_at=changed,
                decided_by=decision[0] if decision else None,
                decided_at=decision[1] if decision else None,
                decision_comment=f"Begründung {name}" if decision else None,
                completed_at=changed if status == "completed" else None,
            )
            s.add(request)
            s.flush()
            assert request.id is not None
            ids[name] = request.id
            for city in partners:
                s.add(RequestPartner(request_id=request.id, city_key=city))
            s.add(
                AuditEntry(
                    request_id=request.id,
                    actor=requester,
                    at=created,
                    action="submit",
                    to_status="submitted",
                    comment=f"eingereicht {name}",
                )
            )
            if decision:
                s.add(
                    AuditEntry(
                        request_id=request.id,
                        actor=decision[0],
                        at=decision[1],
                        action="decide",
                        comment=f"Begründung {name}",
                    )
                )
            if status == "completed":
                s.add(
                    AuditEntry(
                        request_id=request.id,
                        actor="system",
                        at=changed,
                        action="complete",
                        to_status="completed",
                    )
                )
            message = ActionMessage(
                request_id=request.id,
                kind="decision",
                user_id=decision[0] if decision else "U0LEI1",
                channel="D0DM",
                ts="1.2",
            )
            s.add(message)
            s.flush()
            s.add(
                OutboxMessage(
                    request_id=request.id,
                    method="chat.postMessage",
                    payload={"channel": requester, "text": f"Titel {name}"},
                    action_message_id=message.id,
                    created_at=created,
                    next_attempt_at=created,
                )
            )
        for name, user, rating, recommend, worked, not_worked in REFLECTIONS:
            s.add(
                Reflection(
                    request_id=ids[name],
                    user_id=user,
                    rating=rating,
                    recommend=recommend,
                    worked=worked,
                    not_worked=not_worked,
                    created_at=REQUESTS[name][8],
                )
            )
        for name, city, user, named_by, note in EXPERTS:
            s.add(
                Expert(
                    request_id=ids[name],
                    city_key=city,
                    user_id=user,
                    named_by=named_by,
                    note=note,
                    named_at=REQUESTS[name][7][1],
                )
            )
    return ids


EXPECTED_2026 = {
    "requests_filed": 8,  # r1–r8 (r8 by Berlin time)
    "requests_by_status": {
        "submitted": 1,
        "needs_info": 1,
        "approved": 0,
        "matched": 1,
        "declined": 1,
        "cancelled": 1,
        "completed": 2,
        "lapsed": 1,
    },
    "exchanges": 3,  # r1, r2, r8 (r3 lapsed)
    "lapsed": 1,  # r3
    "by_city_pair": {
        ("leipzig", "bremen"): 2,
        ("bremen", "leipzig"): 1,
        ("bremen", "nuernberg"): 1,
    },
    "by_topic": {"mobilitaet": 2, "wohnen": 1},
    "by_format": {"workshop": 2, "site_visit": 1},
    "travellers": 9,  # r1 2, r2 3, r8 4
    "cost_eur": Decimal("2450.50"),
    "exchanges_with_cost": 3,
    "decisions": 6,  # 3, 6, 12, 24, 25, 48 hours
    "decision_hours_median": 18.0,
    "reflections": 4,
    "ratings": {1: 0, 2: 1, 3: 1, 4: 1, 5: 1},
    "recommend_yes": 2,
    "recommend_answered": 3,
}


def test_the_numbers_of_a_seeded_year(session_factory):
    seed(session_factory)
    report = yearly_report(session_factory, 2026, tz=TZ)
    for field, expected in EXPECTED_2026.items():
        assert getattr(report, field) == expected, field
    assert list(report.by_city_pair) == list(EXPECTED_2026["by_city_pair"])  # most first
    assert report.rating_mean == 3.5
    assert report.recommend_share == pytest.approx(2 / 3)
    assert (report.year, report.network, report.timezone) == (2026, "koopstadt", "Europe/Berlin")
    assert report.city("nuernberg") == "Nürnberg"
    assert report.topic("wohnen", "en") == "Housing"


def test_the_year_before_and_an_empty_year(session_factory):
    seed(session_factory)
    report = yearly_report(session_factory, 2025, tz=TZ)
    assert (report.requests_filed, report.exchanges, report.travellers) == (1, 1, 6)
    assert report.by_city_pair == {("bremen", "nuernberg"): 1}
    assert report.ratings == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}
    assert report.decision_hours_median == 24.0

    empty = yearly_report(session_factory, 2020, tz=TZ)
    assert (empty.requests_filed, empty.exchanges, empty.decisions, empty.reflections) == (
        0,
        0,
        0,
        0,
    )
    assert empty.cost_eur == Decimal("0.00")
    assert empty.decision_hours_median is None and empty.rating_mean is None
    assert empty.recommend_share is None
    assert "keine" in report_markdown(empty)
    assert "| Entscheidungsdauer, Median (Stunden) | – |" in report_markdown(empty)
    overview = dict(map(tuple, sections(report_csv(empty))["Überblick"][1:]))
    assert overview["Entscheidungsdauer, Median (Stunden)"] == ""  # empty cell, not text


def test_the_year_follows_the_configured_time_zone(session_factory):
    seed(session_factory)
    # In UTC, r8 was filed in 2025 and r9 in 2026.
    report = yearly_report(session_factory, 2026, tz=ZoneInfo("UTC"))
    assert report.requests_filed == 8  # r1–r7 and r9
    assert report.requests_by_status["completed"] == 1
    assert report.requests_by_status["approved"] == 1  # r9 (r3 lapsed)


def sections(text: str, delimiter: str = ";") -> dict[str, list[list[str]]]:
    """CSV parsed back: section title -> [header, *rows]."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    found: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = found.setdefault(row[0], [])
        else:
            current.append(row)
    return found


def run_cli(argv: list[str], session_factory: SessionFactory, **kw: object) -> int | None:
    settings = Settings(bot_token="xoxb-test", database_url="sqlite://")
    # Every seeded 2026 exchange has ended by then (the report counts only those).
    kw.setdefault("now", datetime(2027, 1, 10, 9, tzinfo=UTC))
    return dispatch(build_parser().parse_args(argv), settings, session_factory, **kw)


def test_csv_written_by_the_cli_opens_in_german_spreadsheets(session_factory, tmp_path: Path):
    seed(session_factory)
    out = tmp_path / "bericht.csv"
    assert run_cli(["report", "--year", "2026", "--output", str(out)], session_factory) == 0
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    assert b"\r\n" in raw and b"\r\r\n" not in raw
    parsed = sections(raw.decode("utf-8-sig"))

    assert next(iter(parsed)) == "C+R-Jahresbericht 2026"
    overview = dict(map(tuple, parsed["Überblick"][1:]))
    assert parsed["Überblick"][0] == ["Kennzahl", "Wert"]
    assert overview == {
        "Jahr": "2026",
        "Anfragen gestellt": "8",
        "Austausche": "3",
        "Nicht zustande gekommen": "1",
        "Reisende Personen": "9",
        "Geschätzte Reisekosten (EUR)": "2450,50",
        "Austausche mit Kostenschätzung": "3",
        "Entscheidungen": "6",
        "Entscheidungsdauer, Median (Stunden)": "18,0",
        "Reflexionen": "4",
        "Bewertung, Durchschnitt (1–5)": "3,50",
        "Würden weiterempfehlen (%)": "66,7",
    }
    assert parsed["Anfragen nach Status"] == [
        ["Status", "Anfragen"],
        ["eingereicht", "1"],
        ["Rückfrage offen", "1"],
        ["genehmigt", "0"],
        ["vermittelt", "1"],
        ["abgelehnt", "1"],
        ["zurückgezogen", "1"],
        ["abgeschlossen", "2"],
        ["nicht zustande gekommen", "1"],
    ]
    assert parsed["Austausche nach Städtepaar"] == [
        ["Eigene Stadt", "Partnerstadt", "Austausche"],
        ["Leipzig", "Bremen", "2"],
        ["Bremen", "Leipzig", "1"],
        ["Bremen", "Nürnberg", "1"],
    ]
    assert parsed["Austausche nach Thema"] == [
        ["Thema", "Austausche"],
        ["Mobilität", "2"],
        ["Wohnen", "1"],
    ]
    assert parsed["Austausche nach Format"] == [
        ["Format", "Austausche"],
        ["Workshop", "2"],
        ["Ortsbesichtigung", "1"],
    ]
    assert parsed["Bewertungen der Reflexionen"] == [
        ["Bewertung", "Reflexionen"],
        ["1", "0"],
        ["2", "1"],
        ["3", "1"],
        ["4", "1"],
        ["5", "1"],
    ]


def test_csv_to_stdout_has_no_bom_and_comma_separator_uses_decimal_points(session_factory, capsys):
    seed(session_factory)
    assert run_cli(["report", "--year", "2026", "--separator", ","], session_factory) == 0
    out = capsys.readouterr().out
    assert not out.startswith("\ufeff")
    overview = dict(map(tuple, sections(out, ",")["Überblick"][1:]))
    assert overview["Geschätzte Reisekosten (EUR)"] == "2450.50"
    assert overview["Bewertung, Durchschnitt (1–5)"] == "3.50"
    # The same table as with ";", but with decimal points.
    german = sections(report_csv(yearly_report(session_factory, 2026, tz=TZ)), ";")
    points = {
        title: [[re.sub(r"^(\d+),(\d+)$", r"\1.\2", cell) for cell in row] for row in rows]
        for title, rows in german.items()
    }
    assert sections(out, ",") == points


def test_markdown_in_both_languages(session_factory, capsys):
    seed(session_factory)
    assert run_cli(["report", "--year", "2026", "--format", "markdown"], session_factory) == 0
    german = capsys.readouterr().out
    assert german == report_markdown(yearly_report(session_factory, 2026, tz=TZ), "de")
    lines = german.splitlines()
    assert lines[0] == "# C+R-Jahresbericht 2026 – koopstadt"
    for line in (
        "| Kennzahl | Wert |",
        "|---|---:|",
        "| Anfragen gestellt | 8 |",
        "| Geschätzte Reisekosten | 2.450,50 € |",
        "| Entscheidungsdauer, Median (Stunden) | 18,0 |",
        "| Würden weiterempfehlen (%) | 66,7 |",
        "## Austausche nach Städtepaar",
        "| Eigene Stadt | Partnerstadt | Austausche |",
        "|---|---|---:|",
        "| Leipzig | Bremen | 2 |",
        "| Bremen | Nürnberg | 1 |",
        "| Ortsbesichtigung | 1 |",
        "| 5 | 1 |",
    ):
        assert line in lines, line

    english = report_markdown(yearly_report(session_factory, 2026, tz=TZ), "en").splitlines()
    for line in (
        "# C+R annual report 2026 – koopstadt",
        "| Requests filed | 8 |",
        "| Estimated travel costs | €2,450.50 |",
        "| Rating, mean (1–5) | 3.50 |",
        "| Housing | 1 |",
        "| Did not take place | 1 |",
        "| Site visit | 1 |",
        "| matched | 1 |",
    ):
        assert line in english, line


def test_report_year_must_be_four_digits(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["report", "--year", "26"])
    assert exit_info.value.code == 2
    assert "invalid year '26'" in capsys.readouterr().err


def test_other_commands_are_not_ours(session_factory):
    import argparse

    args = argparse.Namespace(command="history")
    assert dispatch(args, Settings(bot_token="x"), session_factory) is None


# --- the Slack message -------------------------------------------------------------


def valid(message: dict) -> None:
    blocks = message["blocks"]
    assert [Block.parse(b).to_dict() for b in blocks] == blocks
    assert len(blocks) <= 50
    assert 0 < len(message["text"]) <= 4000
    for block in blocks:
        assert len(block.get("text", {}).get("text", "")) <= 3000


@pytest.mark.parametrize("lang", ["de", "en"])
def test_report_message_shows_the_numbers(session_factory, lang):
    seed(session_factory)
    message = report_message(yearly_report(session_factory, 2026, tz=TZ), lang)
    valid(message)
    blocks = message["blocks"]
    assert blocks[0]["type"] == "header"
    texts = "\n".join(b.get("text", {}).get("text", "") for b in blocks)
    if lang == "de":
        assert blocks[0]["text"]["text"] == "C+R-Jahresbericht 2026 – koopstadt"
        for part in (
            "Austausche: *3*",
            "Nicht zustande gekommen: *1*",
            "Reisende Personen: *9*",
            "Geschätzte Reisekosten: *2.450,50 €*",
            "• Leipzig → Bremen: *2*",
            "• Mobilität: *2*",
            "Würden weiterempfehlen (%): *66,7*",
        ):
            assert part in texts, part
    else:
        assert blocks[0]["text"]["text"] == "C+R annual report 2026 – koopstadt"
        assert "Estimated travel costs: *€2,450.50*" in texts
        assert "• Housing: *1*" in texts


def test_report_message_stays_within_slacks_limits():
    pairs = {(f"city{i:03}" + "<&>" * 60, f"p{i}"): 1 for i in range(800)}
    report = replace(_empty_report(), by_city_pair=pairs, by_topic={f"t{i}": 1 for i in range(900)})
    message = report_message(report, "de")
    valid(message)
    assert message["blocks"][-1]["type"] == "context"  # the note survives the cut


def test_report_year_of_the_command():
    today = date(2026, 11, 26)
    assert report_year(None, today) == 2026
    assert report_year("", today) == 2026
    assert report_year("2025", today) == 2025
    assert report_year("2027", today) == 2027
    for bad in ("26", "20x5", "2099", "1999", "-2026"):
        assert report_year(bad, today) is None, bad


def _empty_report() -> Report:
    return Report(
        year=2026,
        timezone="Europe/Berlin",
        network="",
        requests_filed=0,
        requests_by_status={},
        exchanges=0,
        by_city_pair={},
        by_topic={},
        by_format={},
        travellers=0,
        cost_eur=Decimal("0.00"),
        exchanges_with_cost=0,
        decisions=0,
        decision_hours_median=None,
        reflections=0,
        ratings={},
        recommend_yes=0,
        recommend_answered=0,
        city_names={},
        topic_names={},
        topic_names_en={},
    )
