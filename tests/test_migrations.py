"""The Alembic migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and timestamps survive the round trip with their time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

from bot.db import alembic_config, upgrade
from models import AuditEntry

BERLIN = ZoneInfo("Europe/Berlin")


def test_migrations_match_the_models(session_factory):
    with session_factory.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_upgrade_again_is_harmless(session_factory):
    engine = session_factory.engine
    with session_factory.begin() as session:
        session.add(AuditEntry(actor="U0REQ1", action="filed"))

    upgrade(engine)
    upgrade(engine)

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    with session_factory() as session:
        assert [e.action for e in session.exec(select(AuditEntry)).all()] == ["filed"]


@pytest.mark.parametrize(
    "local",
    [datetime(2026, 11, 26, 10, 30, tzinfo=BERLIN), datetime(2026, 7, 1, 10, 30, tzinfo=BERLIN)],
    ids=["winter", "summer"],
)
def test_timestamps_come_back_aware_and_the_same_instant(session_factory, local):
    with session_factory.begin() as session:
        session.add(AuditEntry(actor="U0REQ1", action="filed", at=local))

    with session_factory() as session:
        [entry] = session.exec(select(AuditEntry)).all()
        # The database compares instants, not wall-clock text.
        found = session.exec(select(AuditEntry).where(AuditEntry.at == local.astimezone(UTC)))

        assert found.all() == [entry]
    assert entry.at.tzinfo is not None
    assert entry.at == local
    assert entry.at.astimezone(BERLIN).hour == 10


def test_naive_timestamps_are_refused(session_factory):
    with pytest.raises(StatementError, match="naive datetime"), session_factory.begin() as session:
        session.add(AuditEntry(actor="U0REQ1", action="filed", at=datetime(2026, 11, 26, 10, 30)))
