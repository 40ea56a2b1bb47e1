"""The Alembic migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and timestamps survive the round trip with their time zone."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

from bot.infra.db import alembic_config, make_engine, upgrade
from models import AuditEntry
from models.memory import FTS_OBJECTS

BERLIN = ZoneInfo("Europe/Berlin")


def test_migrations_match_the_models(session_factory):
    with session_factory.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _not_full_text}
        )
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def _not_full_text(name: str | None, _kind: str, _parents: object) -> bool:
    """The full-text objects are made by hand in the migration, not by the models."""
    return name not in FTS_OBJECTS


def test_full_text_objects_exist(session_factory):
    from sqlalchemy import inspect

    engine = session_factory.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all())
        assert {"search_fts", "search_document_ai", "search_document_au"} <= names
    else:
        indexes = {i["name"] for i in inspect(engine).get_indexes("search_document")}
        assert "ix_search_document_fts" in indexes
        columns = {c["name"] for c in inspect(engine).get_columns("search_document")}
        assert "search_tsv" in columns


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


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_instances_starting_at_once_migrate_once_on_postgresql():
    """Several instances upgrading the same empty PostgreSQL schema at the same moment."""
    import threading

    from sqlalchemy import text

    base = os.environ["TEST_DATABASE_URL"]
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS cr_concurrent CASCADE"))
        conn.execute(text("CREATE SCHEMA cr_concurrent"))
    url = base + ("&" if "?" in base else "?") + "options=-csearch_path%3Dcr_concurrent"
    errors: list[str] = []

    def start() -> None:
        engine = make_engine(url)
        try:
            upgrade(engine)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start, daemon=True) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    try:
        assert not any(th.is_alive() for th in threads), "upgrades deadlocked"
        assert errors == []
        with admin.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT count(*) FROM information_schema.tables"
                    " WHERE table_schema = 'cr_concurrent'"
                )
            ).scalar_one()
        assert tables == len(SQLModel.metadata.tables) + 1  # + alembic_version
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS cr_concurrent CASCADE"))
        admin.dispose()


def test_head_constant_is_the_newest_migration(session_factory):
    from alembic.script import ScriptDirectory as Scripts

    from bot.infra.db import schema_revision
    from models.migrations import HEAD

    engine = session_factory.engine
    assert Scripts.from_config(alembic_config(engine)).get_current_head() == HEAD
    assert schema_revision(engine) == HEAD
