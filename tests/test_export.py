"""`cr-bot export --user` (GDPR Art. 15, the right of access) holds every table with the
person's ID or text: their cost claims with note and receipts, their deputy arrangements;
and a walk over the model's tables fails when a column with a user ID is not exported."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import models  # noqa: F401  (every table on SQLModel.metadata)
from bot.entry.scheduler import reflect_job
from bot.slack import ids
from bot.usecases.lifecycle import NOT_EXPORTED, PERSON_COLUMNS, export_user
from tests.flows import buttons, click, dms_to
from tests.seed import seed
from tests.test_claims import submit_claim
from tests.test_deputies import run_command
from tests.test_report import run_cli

# A column holds a person's Slack user ID when it is named like one, or is marked so.
PERSON_NAME = re.compile(
    r"^(user_id|actor|recipient|on_behalf_of)$|_by$|(^|_)(user|requester|deputy|claimant)_id$"
)


def person_columns() -> set[str]:
    found = set()
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if PERSON_NAME.search(column.name) or column.info.get("person"):
                found.add(f"{table.name}.{column.name}")
    return found


def test_every_column_with_a_user_id_is_exported_or_said_why_not():
    found = person_columns()
    assert found - PERSON_COLUMNS - set(NOT_EXPORTED) == set(), (
        "a column holds a person's user ID: add it to bot.usecases.lifecycle.SECTIONS"
    )
    assert found >= PERSON_COLUMNS and set(NOT_EXPORTED) <= found  # nothing stale


def test_a_row_with_the_person_in_any_such_column_is_in_their_export(session_factory):
    """For each column with a user ID: a row with the person there, and nobody else's."""
    base = _insert(session_factory, "exchange_request", {"requester_id": "U0SOMEONE"})
    columns = sorted(person_columns() - set(NOT_EXPORTED))
    for n, name in enumerate(columns):
        table_name, column = name.split(".")
        user = f"U0P{n:03d}"
        _insert(session_factory, table_name, {column: user}, request_id=base, n=n)
        data = export_user(session_factory, user)
        assert _holds(data, _attribute(table_name, column), user), f"{name} not in the export"
        assert "U0SOMEONE" not in json.dumps(data)


def _attribute(table_name: str, column: str) -> str:
    """The model's attribute (the export's key) for a table's column."""
    for mapper in SQLModel._sa_registry.mappers:  # type: ignore[attr-defined]
        if mapper.local_table.name == table_name:
            return mapper.get_property_by_column(mapper.local_table.c[column]).key
    return column


def _holds(node: Any, key: str, user: str) -> bool:
    if isinstance(node, dict):
        return node.get(key) == user or any(_holds(v, key, user) for v in node.values())
    if isinstance(node, list):
        return any(_holds(v, key, user) for v in node)
    return False


def _insert(
    session_factory, table_name: str, given: dict[str, Any], *, request_id: int = 0, n: int = 0
) -> int:
    """A row of any table: `given`, the request `request_id` for foreign keys, and a plain
    value of its type in every other required column."""
    table = SQLModel.metadata.tables[table_name]
    values: dict[str, Any] = {}
    for c in table.columns:
        if c.name in given:
            values[c.name] = given[c.name]
        elif c.foreign_keys:
            values[c.name] = request_id
        elif c.primary_key and isinstance(c.type, sa.Integer):
            continue  # the database numbers it
        elif not c.nullable or c.primary_key:
            values[c.name] = _plain_value(c, n)
    with session_factory.engine.begin() as conn:
        result = conn.execute(sa.insert(table).values(**values))
    key = result.inserted_primary_key
    return int(key[0]) if key and isinstance(key[0], int) else 0


def _plain_value(column: sa.Column, n: int) -> Any:
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Numeric):
        return Decimal("1.00")
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 12, 1, 9, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 12, 1)
    if isinstance(kind, sa.JSON):
        return []
    return f"x{n}"


def test_the_export_holds_the_cost_claim_and_the_deputy_arrangements(bot, tmp_path: Path):
    request_id = seed(
        bot,
        state="matched",
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        cost_eur=Decimal("450"),
    )
    bot.clock.now = bot.clock.now.replace(year=2026, month=12, day=10, hour=9)
    reflect_job(bot.services)
    [prompt] = [m for m in dms_to(bot, "U0REQ1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    click(bot, "U0REQ1", prompt, ids.A_CLAIM)
    status, body = submit_claim(
        bot,
        "U0REQ1",
        "321,00",
        "total",
        ["F0REC1:Bahnticket Meier.pdf"],
        note="Bahn, 2. Klasse",
    )
    assert status == 200 and not body
    run_command(bot, "U0LEI1", "vertretung <@U0NUE1|nina> bis 31.12.")

    out = tmp_path / "export.json"
    assert run_cli(["export", "--user", "U0REQ1", "--output", str(out)], bot.session_factory) == 0
    [claim] = json.loads(out.read_text(encoding="utf-8"))["cost_claims"]
    assert (claim["request_id"], claim["status"], claim["amount_cents"]) == (
        request_id,
        "claimed",
        32100,
    )
    assert claim["note"] == "Bahn, 2. Klasse" and claim["claimed_by"] == "U0REQ1"
    assert claim["receipts"] == [
        {
            "id": "F0REC1",
            "name": "Bahnticket Meier.pdf",
            "permalink": "https://koopstadt.slack.com/files/U0REQ1/F0REC1/bahnticket_meier.pdf",
        }
    ]

    for user in ("U0LEI1", "U0NUE1"):  # the one away and the deputy
        [deputy] = export_user(bot.session_factory, user)["deputies"]
        assert (deputy["user_id"], deputy["deputy_id"], deputy["created_by"]) == (
            "U0LEI1",
            "U0NUE1",
            "U0LEI1",
        )
        assert deputy["until"] == "2026-12-31"
    assert export_user(bot.session_factory, "U0BRE1")["deputies"] == []
