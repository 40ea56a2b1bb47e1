"""Purge and export over the seeded years: texts and people gone, the report unchanged,
everything logged; an export holds one person's data and nobody else's."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.infra.db import SessionFactory
from bot.usecases.lifecycle import count_purgeable, export_user, parse_duration, purge
from bot.usecases.report import yearly_report
from models import (
    ActionMessage,
    AuditEntry,
    CostClaim,
    ExchangeRequest,
    Expert,
    OutboxMessage,
    Reflection,
    RequestPartner,
)
from tests.test_report import TZ, build_parser, run_cli, seed, utc

NOW = utc(2027, 6, 1, 9)  # with 365 days: closed before 1 June 2026 is purged
YEAR = timedelta(days=365)
# Closed before the cutoff (r3 lapsed on 7 May 2026); r5 closed on 15 June 2026.
PURGED = {"r1", "r3", "r4", "r8", "r10"}


def rows(session_factory: SessionFactory, model: type) -> list[dict[str, Any]]:
    with session_factory() as s:
        found = s.exec(select(model)).all()
    return sorted((r.model_dump() for r in found), key=lambda r: sorted(map(str, r.items())))


def snapshot(session_factory: SessionFactory) -> dict[str, list[dict[str, Any]]]:
    models = (ExchangeRequest, RequestPartner, Expert, Reflection, ActionMessage, OutboxMessage)
    data = {m.__name__: rows(session_factory, m) for m in models}
    data["AuditEntry"] = [a for a in rows(session_factory, AuditEntry) if a["action"] != "purge"]
    return data


def requests_by_name(session_factory: SessionFactory, ids: dict[str, int]) -> dict[str, Any]:
    with session_factory() as s:
        return {name: s.get(ExchangeRequest, request_id) for name, request_id in ids.items()}


def of_requests(session_factory: SessionFactory, model: Any, request_ids: set[int]) -> list:
    with session_factory() as s:
        return list(s.exec(select(model).where(col(model.request_id).in_(request_ids))).all())


def test_purge_removes_texts_and_people_and_keeps_the_report(session_factory):
    ids = seed(session_factory)
    before = {year: yearly_report(session_factory, year, tz=TZ) for year in (2025, 2026, 2027)}
    all_before = requests_by_name(session_factory, ids)
    assert count_purgeable(session_factory, YEAR, now=NOW) == 5

    assert purge(session_factory, YEAR, now=NOW) == 5

    after = {year: yearly_report(session_factory, year, tz=TZ) for year in (2025, 2026, 2027)}
    assert after == before
    requests = requests_by_name(session_factory, ids)
    purged_ids = {ids[name] for name in PURGED}
    for name in PURGED:
        r = requests[name]
        assert (r.title, r.question, r.requester_id, r.decision_comment) == ("", "", "purged", None)
        assert r.decided_by == "purged" and r.decided_at is not None
        assert r.purged_at == NOW
        # Everything else stays: keys, dates, numbers, statuses.
        scrubbed = {"title", "question", "requester_id", "decision_comment", "decided_by"}
        scrubbed.add("purged_at")
        assert r.model_dump(exclude=scrubbed) == all_before[name].model_dump(exclude=scrubbed)
    assert requests["r1"].travellers == 2 and str(requests["r1"].cost_eur) == "450.00"
    # Open requests and a request closed too recently are untouched.
    for name, r in all_before.items():
        if name not in PURGED:
            assert requests[name] == r, name
            assert requests[name].title == f"Titel {name}"
    assert requests["r5"].decision_comment == "Begründung r5"

    experts = of_requests(session_factory, Expert, purged_ids)
    assert len(experts) == 3
    assert {e.user_id for e in experts} == {f"purged-{e.id}" for e in experts}  # still distinct
    assert {(e.named_by, e.note) for e in experts} == {("purged", None)}
    assert {e.city_key for e in experts} == {"bremen"}
    reflections = of_requests(session_factory, Reflection, purged_ids)
    assert sorted(r.rating for r in reflections) == [1, 2, 3, 4, 5]
    for r in reflections:
        assert (r.user_id, r.worked, r.not_worked) == (f"purged-{r.id}", None, None)
    entries = of_requests(session_factory, AuditEntry, purged_ids)
    assert {(e.actor, e.comment) for e in entries} == {("purged", None), ("system", None)}
    assert of_requests(session_factory, OutboxMessage, purged_ids) == []
    assert of_requests(session_factory, ActionMessage, purged_ids) == []
    # others keep theirs
    assert of_requests(session_factory, Expert, {ids["r2"]})[0].user_id == "U0LEI3"
    assert len(of_requests(session_factory, OutboxMessage, {ids["r5"], ids["r6"]})) == 2

    # No text of a purged request is left anywhere.
    dump = json.dumps(snapshot(session_factory), default=str)
    for name in PURGED:
        assert f'Titel {name}"' not in dump and f'Begründung {name}"' not in dump
    assert "Kennt die Quartiersschulen in Gröpelingen" not in dump and "Sehr konkret" not in dump

    runs = [e for e in rows(session_factory, AuditEntry) if e["action"] == "purge"]
    assert len(runs) == 1
    assert (runs[0]["request_id"], runs[0]["actor"], runs[0]["at"]) == (None, "system", NOW)
    assert runs[0]["comment"] == "5 requests purged (closed before 2026-06-01 09:00 UTC)"


def test_purge_is_idempotent_and_every_run_is_logged(session_factory):
    seed(session_factory)
    assert purge(session_factory, YEAR, now=NOW) == 5
    state = snapshot(session_factory)
    report = yearly_report(session_factory, 2026, tz=TZ)

    assert purge(session_factory, YEAR, now=NOW + timedelta(hours=1), actor="U0ADMIN") == 0
    assert snapshot(session_factory) == state
    assert yearly_report(session_factory, 2026, tz=TZ) == report
    runs = [e for e in rows(session_factory, AuditEntry) if e["action"] == "purge"]
    assert sorted((r["actor"], r["comment"][:20]) for r in runs) == [
        ("U0ADMIN", "0 requests purged (c"),
        ("system", "5 requests purged (c"),
    ]

    # A month later r5 (cancelled on 15 June 2026) is old enough too.
    assert purge(session_factory, YEAR, now=utc(2027, 7, 1)) == 1


def test_two_purges_at_once_purge_each_request_once(session_factory):
    seed(session_factory)
    results: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(purge(session_factory, YEAR, now=NOW))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 5]
    runs = [e["comment"][:1] for e in rows(session_factory, AuditEntry) if e["action"] == "purge"]
    assert sorted(runs) == ["0", "5"]


def test_nothing_is_old_enough(session_factory):
    seed(session_factory)
    assert purge(session_factory, timedelta(days=3650), now=NOW) == 0
    assert all(r["purged_at"] is None for r in rows(session_factory, ExchangeRequest))


def test_cli_purge_without_yes_is_a_dry_run(session_factory, capsys):
    seed(session_factory)
    state = snapshot(session_factory)
    assert run_cli(["purge", "--older-than", "365d"], session_factory, now=NOW) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run: 5 closed requests older than 365 days would be purged")
    assert "--yes" in out
    assert snapshot(session_factory) == state
    assert [e for e in rows(session_factory, AuditEntry) if e["action"] == "purge"] == []

    assert run_cli(["purge", "--older-than", "1y", "--yes"], session_factory, now=NOW) == 0
    assert capsys.readouterr().out == "purged 5 closed requests older than 365 days\n"
    assert snapshot(session_factory) != state


def test_cli_purge_rejects_a_bad_duration(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["purge", "--older-than", "1 year"])
    assert exit_info.value.code == 2
    assert "invalid duration '1 year'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("365d", timedelta(days=365)),
        ("1d", timedelta(days=1)),
        ("12w", timedelta(days=84)),
        ("2y", timedelta(days=730.5)),
        ("18m", timedelta(days=547.875)),
        ("12m", timedelta(days=365.25)),
        (" 30D ", timedelta(days=30)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "365", "d", "1.5y", "-3d", "3x", "2 years", "1y2m"])
def test_parse_duration_refuses_with_a_clear_message(text):
    with pytest.raises(ValueError, match=r"invalid duration .*d \(days\), w \(weeks\)"):
        parse_duration(text)


def test_parse_duration_refuses_zero():
    with pytest.raises(ValueError, match="at least 1"):
        parse_duration("0d")


# --- export ------------------------------------------------------------------------


def test_export_holds_the_persons_data_and_nobody_elses(session_factory):
    ids = seed(session_factory)
    data = export_user(session_factory, "U0REQ1", now=NOW)
    text = json.dumps(data, ensure_ascii=False)  # JSON-serialisable as it is

    filed = data["requests_filed"]
    assert [r["id"] for r in filed] == [ids["r1"], ids["r4"], ids["r6"], ids["r10"]]
    r1 = filed[0]
    assert r1["title"] == "Titel r1" and r1["question"] == "Frage r1 von U0REQ1"
    assert r1["partner_cities"] == ["bremen"]
    assert r1["cost_eur"] == "450.00" and r1["date_from"] == "2026-02-02"
    assert r1["created_at"] == "2026-01-10T08:00:00+00:00"
    assert [e["action"] for e in r1["history"]] == ["submit", "decide", "complete"]
    assert [r["rating"] for r in data["reflections"]] == [5, 1]
    assert data["reflections"][0]["worked"] == "Sehr konkret"
    assert [e["action"] for e in data["audit_entries"]] == ["submit"] * 4
    assert data["expert_for"] == [] and data["decisions"] == []
    assert data["user_id"] == "U0REQ1" and data["exported_at"] == NOW.isoformat()
    # nothing of other people's requests or reflections
    for name in ("r2", "r3", "r5", "r7", "r8", "r9"):
        assert f'Titel {name}"' not in text and f"Frage {name} " not in text
    assert "Gute Fragen" not in text and "Ganz gut" not in text

    export_entries = [e for e in rows(session_factory, AuditEntry) if e["action"] == "export"]
    assert [(e["actor"], e["comment"], e["request_id"]) for e in export_entries] == [
        ("system", "U0REQ1", None)
    ]


def test_export_of_a_contact_and_an_expert(session_factory):
    ids = seed(session_factory)
    contact = export_user(session_factory, "U0LEI1", now=NOW, actor="U0COORD1")
    assert contact["requests_filed"] == []
    assert [d["request_id"] for d in contact["decisions"]] == [
        ids["r1"],
        ids["r4"],
        ids["r8"],
        ids["r9"],
    ]
    assert contact["decisions"][1]["decision_comment"] == "Begründung r4"
    assert [e["request_id"] for e in contact["experts_named"]] == [ids["r2"]]
    assert [(r["role"], r["city_key"]) for r in contact["directory_roles"]] == [
        ("contact", "leipzig")
    ]
    assert {m["kind"] for m in contact["messages"]} == {"decision"}

    expert = export_user(session_factory, "U0BRE7", now=NOW)
    assert [(e["request_id"], e["note"]) for e in expert["expert_for"]] == [
        (ids["r1"], "Kennt die Quartiersschulen in Gröpelingen")
    ]
    assert [r["worked"] for r in expert["reflections"]] == ["Gute Fragen"]
    assert expert["requests_filed"] == [] and expert["directory_roles"] == []

    runs = [(e["actor"], e["comment"]) for e in rows(session_factory, AuditEntry)]
    assert ("U0COORD1", "U0LEI1") in runs and ("system", "U0BRE7") in runs


def test_after_purge_an_export_no_longer_finds_the_purged_data(session_factory):
    ids = seed(session_factory)
    purge(session_factory, YEAR, now=NOW)
    data = export_user(session_factory, "U0REQ1", now=NOW)
    assert [r["id"] for r in data["requests_filed"]] == [ids["r6"]]
    assert data["reflections"] == []
    assert "Sehr konkret" not in json.dumps(data, ensure_ascii=False)


def test_cli_export_writes_json(session_factory, tmp_path: Path, capsys):
    seed(session_factory)
    out = tmp_path / "export.json"
    assert run_cli(["export", "--user", "U0BRE7", "--output", str(out)], session_factory) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith('{\n  "user_id": "U0BRE7"')  # indent 2
    assert "Quartiersschulen in Gröpelingen" in text  # ensure_ascii=False: umlauts readable
    assert json.loads(text)["expert_for"][0]["city_key"] == "bremen"

    assert run_cli(["export", "--user", "U0NOBODY"], session_factory) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["user_id"] == "U0NOBODY" and printed["requests_filed"] == []


def test_purge_keeps_a_claims_amounts_and_drops_its_note_claimant_and_receipts(session_factory):
    """Receipts are the claimant's own uploads (names like 'Bahnticket Meier.pdf'): purge
    drops their names and links with the note, and keeps what the report counts."""
    ids = seed(session_factory)
    with session_factory.begin() as s:
        s.add(
            CostClaim(
                request_id=ids["r1"],
                status="paid",
                amount_cents=42_000,
                note="Bahn, zwei Personen",
                claimed_by="U0REQ1",
                receipts=[{"id": "F0A1", "name": "Bahnticket Meier.pdf", "permalink": "https://x"}],
                asked_at=NOW - YEAR * 2,
                updated_at=NOW - YEAR * 2,
            )
        )
    before = yearly_report(session_factory, 2026, tz=TZ)

    purge(session_factory, YEAR, now=NOW)

    with session_factory() as s:
        claim = s.get(CostClaim, ids["r1"])
    assert claim is not None
    assert (claim.note, claim.claimed_by, claim.receipts) == (None, None, [])
    assert (claim.status, claim.amount_cents) == ("paid", 42_000)
    assert yearly_report(session_factory, 2026, tz=TZ).budget_rows == before.budget_rows
