"""Engine, sessions and migrations."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

import models
from models.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(models.__file__).parent / "migrations"
# PostgreSQL connections older than this are replaced at checkout (servers, proxies and
# firewalls drop idle ones after a while).
RECYCLE_SECONDS = 300

# For the Slack layer, which does not import SQLAlchemy itself: any error of the database,
# and those that mean it is down or out of connections ("try again shortly").
DatabaseError = SQLAlchemyError
DATABASE_UNAVAILABLE = (OperationalError, DBAPIError, PoolTimeout)
# A unique key that refused a row: a conflict between two actions, not an outage.
DATABASE_CONFLICT = IntegrityError


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so threads share it safely."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kw.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # isolation_level=None hands BEGIN to us, so writers take the lock
            # at BEGIN IMMEDIATE and conditional updates never deadlock.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers lock at BEGIN (no upgrade deadlocks); readers don't block each other.
            mode = "IMMEDIATE" if conn.get_execution_options().get("cr_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    # No ping before every checkout (a round trip per action): connections are renewed
    # after a while instead, and one that died under us fails its statement, which makes
    # the pool drop every connection made before it; the next checkout connects afresh.
    kw.setdefault("pool_recycle", RECYCLE_SECONDS)
    # Fail fast when the database is away, so Slack still gets its ack within 3 s.
    kw.setdefault("connect_args", {"connect_timeout": 2})
    return create_engine(url, **kw)


class SessionFactory:
    """Opens sessions; `with factory.begin() as s:` is one transaction, committed on success."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(cr_write=True)
        # PostgreSQL: sessions for reading run without a transaction. READ COMMITTED gives
        # each statement its own snapshot anyway; this saves the BEGIN and ROLLBACK round
        # trips, and psycopg keeps its prepared statements (it drops them all, with a
        # DEALLOCATE ALL, at every ROLLBACK). SQLite's readers keep their snapshot.
        self._reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        # SQLite has one writer at a time; threads that find the lock taken sleep and retry
        # (up to 100 ms a try), and a busy thread can lose many times in a row. This
        # process's writers queue here instead, in turn; only processes meet at SQLite's.
        self._write_turn = threading.RLock() if engine.dialect.name == "sqlite" else None
        # The class of this factory's sessions: its own once something listens to them.
        self.session_class: type[Session] = Session

    def listen(self, name: str, fn: Callable[..., Any]) -> None:
        """Call `fn` on the session event `name` of this factory's sessions (only theirs)."""
        if self.session_class is Session:
            self.session_class = type("FactorySession", (Session,), {})
        event.listen(self.session_class, name, fn)

    def __call__(self) -> Session:
        """A session for reading (on PostgreSQL without a transaction: what it writes is
        written at once; writers use `begin`)."""
        return self.session_class(self._reader, expire_on_commit=False)

    def connect(self) -> Connection:
        """A connection for a look-up (on PostgreSQL without a transaction, as `__call__`)."""
        return self._reader.connect()

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One write transaction, committed on success, rolled back on an exception."""
        with (
            self._write_turn or nullcontext(),
            self.session_class(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def ping(self) -> bool:
        """True when the database answers."""
        for _attempt in (1, 2):
            try:
                with self.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            except DBAPIError as exc:
                # A pooled connection the server dropped meanwhile: the pool is renewed by
                # now, so ask once more on a fresh one.
                if not exc.connection_invalidated:
                    return False
            except Exception:
                return False
        return False


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic).

    A database already at the newest revision is left alone without loading Alembic,
    which keeps every worker's start fast and its memory small.
    """
    if revision == "head" and schema_revision(engine) == HEAD:
        return
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several instances starting at once: one migrates, the others wait, then find
            # nothing left to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(7301001)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None
