"""Fixtures: real databases (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the fake Slack Web API, and the real app served over HTTP against it."""

from __future__ import annotations

import inspect
import os
import random
import shutil
import ssl
import sys
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

import pytest
from slack_bolt.util import utils as bolt_utils
from slack_sdk.http_retry import handler as slack_retry
from slack_sdk.http_retry.jitter import Jitter
from sqlalchemy import Engine, event, make_url, text
from sqlalchemy.engine import Dialect
from sqlalchemy.util import LRUCache
from sqlmodel import SQLModel

from bot import outbox
from bot.entry.http import make_http_server
from bot.entry.runtime import Runtime, build
from bot.infra import db, slack_http
from bot.infra.db import SessionFactory, make_engine, upgrade
from bot.infra.directory_file import parse_directory
from bot.infra.settings import Settings
from bot.render import browser
from bot.slack.listeners import guards
from bot.usecases import people
from bot.usecases.directory_source import apply_directory_file
from tests.fakeslack import FakeSlack
from tests.payloads import SIGNING_SECRET, SlackHTTP


def _database_of_this_worker() -> None:
    """Under pytest-xdist (`-n 2`) each worker has a PostgreSQL database of its own, named
    after TEST_DATABASE_URL's (`test` -> `test_gw0`) and created here when missing; every
    test reads TEST_DATABASE_URL, so this is the one place that knows about workers."""
    url, worker = (
        os.environ.get("TEST_DATABASE_URL", "").strip(),
        os.environ.get("PYTEST_XDIST_WORKER", ""),
    )
    if not url or not worker:
        return
    base = make_url(url)
    mine = base.set(database=f"{base.database}_{worker}")
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": mine.database}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{mine.database}"'))
    finally:
        admin.dispose()
    os.environ["TEST_DATABASE_URL"] = mine.render_as_string(hide_password=False)


_database_of_this_worker()
PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

# Loading the system's CA certificates takes a third of the CPU of starting a bot, and every
# test starts one (against the fake Slack over plain HTTP, which never uses the context):
# one default context per SSL_CERT_FILE/SSL_CERT_DIR, as the process would build anew.
_default_contexts: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def _default_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
    if args or kwargs:
        return ssl.create_default_context(*args, **kwargs)
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    if key not in _default_contexts:
        _default_contexts[key] = ssl.create_default_context()
    return _default_contexts[key]


slack_http.create_default_context = _default_context  # type: ignore[assignment]


# Every test starts its bot on an engine of its own (`build` makes one, as a production start
# does), and an engine compiles each SQL statement once, into a cache of its own: each test
# compiled every statement it ran anew, a quarter of the tests' CPU. Engines made alike (the
# same driver and arguments, another database file) share one dialect, identical for each,
# and one cache of compiled SQL (SQLAlchemy's `compiled_cache` option, keyed by dialect);
# what runs against each database is what its own engine would run.
_alike: dict[str, tuple[Dialect, LRUCache[Any, Any]]] = {}
_create_engine = db.create_engine


def _engine_sharing_compiled_sql(url: Any, **kw: Any) -> Engine:
    engine = _create_engine(url, **kw)
    key = repr((engine.url.drivername, sorted((k, repr(v)) for k, v in kw.items())))
    if key in _alike:
        dialect, cache = _alike[key]
        engine.dialect = dialect
        engine.update_execution_options(compiled_cache=cache)
        return engine

    def shared_once_initialised(*_: Any) -> None:
        # After SQLAlchemy's own first "connect" listener, which initialises the dialect
        # from the server (its version, what it supports).
        _alike.setdefault(key, (engine.dialect, LRUCache(500)))

    event.listen(engine, "connect", shared_once_initialised, once=True)
    return engine


db.create_engine = _engine_sharing_compiled_sql  # type: ignore[assignment]


# Bolt reads the argument names of every listener, matcher and middleware it is given
# (inspect.getfullargspec), about a hundred for each app: a fifth of the CPU of each test's
# start. A plain function's names are those of its code, the same for every app the test
# process builds: read once per code object (anything else is read as Bolt does).
_arg_names: dict[CodeType, list[str]] = {}
_get_arg_names = bolt_utils.get_arg_names_of_callable


def _arg_names_once(func: Any) -> list[str]:
    plain = inspect.unwrap(func)
    if type(plain) is not FunctionType or hasattr(plain, "__signature__"):
        return _get_arg_names(func)
    if plain.__code__ not in _arg_names:
        _arg_names[plain.__code__] = _get_arg_names(func)
    return list(_arg_names[plain.__code__])


for _module in [m for name, m in sys.modules.items() if name.startswith("slack_bolt")]:
    if getattr(_module, "get_arg_names_of_callable", None) is _get_arg_names:
        _module.get_arg_names_of_callable = _arg_names_once


# Chromium prints a page to PDF in about a second of CPU, and many tests print the same page
# again: the certificate every participant gets on completion (in tests of other things),
# the report's PDF in each case of its upload faults. The test process prints each page once
# and writes the same bytes again for the same page; whether there is a Chromium is still
# asked every time (the tests without one).
# (By the Chromium that printed it too: a page the stand-in below printed in one test is
# printed again by the real one in a test marked `chromium`.)
_printed: dict[tuple[str, bytes], bytes] = {}
_print_pdf = browser.print_pdf


def _print_pdf_once(page: Path, out: Path, *, timeout: float = 60) -> None:
    key = (browser.chromium(), page.read_bytes())  # BrowserMissing when there is none
    if key in _printed:
        out.write_bytes(_printed[key])
        return
    _print_pdf(page, out, timeout=timeout)
    _printed[key] = out.read_bytes()


browser.print_pdf = _print_pdf_once  # type: ignore[assignment]


# slack_sdk's default retry handler (the bot keeps it: a connection that could not be made,
# or was cut, is tried once more on a new one) first sleeps 0.5 s plus a random jitter of
# up to 1 s. Tests reach it whenever a response_url refuses (payloads.UNSET_RESPONSE_URL) or
# the fake cuts a connection: the same one retry, after 0.01 s plus up to 0.01 s.
class _ShortJitter(Jitter):
    def recalculate(self, duration: float) -> float:
        return duration + random.random() * 0.01


slack_retry.default_interval_calculator.backoff_factor = 0.01  # type: ignore[attr-defined]
slack_retry.default_interval_calculator.jitter = _ShortJitter()  # type: ignore[attr-defined]


def _scrub_environment() -> None:
    """The tests never read the developer's settings: the shell's SLACK_*/CR_* variables
    and DATABASE_URL are dropped, and what a test's `main()` loads from a `.env` is undone
    after that test (`_environment_restored`)."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CR_")) or name == "DATABASE_URL":
            del os.environ[name]


_scrub_environment()


# A click on a message the bot has no record of waits up to 5 x 0.2 s for its sender to
# note it (bot/slack/listeners/guards.py): in production, so that a click that came a moment
# before the note is taken. Dozens of tests click on messages the bot never posted (forged,
# odd, foreign) and would each wait that second for nothing: they wait 5 x 0.02 s. The tests
# of the wait itself ask for the production step (`production_note_wait`).
NOTED_WITHIN_STEP = guards.NOTED_WITHIN_STEP
TEST_NOTED_WITHIN_STEP = 0.02


@pytest.fixture(autouse=True)
def _short_note_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "NOTED_WITHIN_STEP", TEST_NOTED_WITHIN_STEP)


@pytest.fixture
def production_note_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "NOTED_WITHIN_STEP", NOTED_WITHIN_STEP)


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Generator[None, object, object]:
    """pytest rewrites the asserts of every test module it imports and keeps the result in
    `__pycache__`, except under PYTHONDONTWRITEBYTECODE, where each worker rewrote all test
    modules anew at every run (about 4.5 s of CPU a worker). The rewritten modules are kept
    while collecting even then; the tests themselves run with the setting as it was."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = before


@pytest.hookimpl(wrapper=True, optionalhook=True)  # optional: -p no:xdist runs without
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto` starts one worker more than xdist counts cores: a worker waits for a good
    part of its time (the processes its tests start, Chromium, the soak's people, the
    bench's phases), and the extra one uses the core meanwhile. PYTEST_XDIST_AUTO_NUM_WORKERS
    still sets the number."""
    cores = yield
    return cores if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else cores + 1


# Under pytest-xdist (`--dist loadfile --no-loadscope-reorder`, pyproject.toml) a worker
# takes the next test file when done with one (so a module's fixtures are set up once). The
# longest files (measured) start first, so that none of them is left at the end running
# alone while the other workers have nothing to do; the files of middle length follow, so
# that the last ones taken are short. The files that mostly wait (for processes they start,
# for claims to run out, for the soak's people: marked "waits") are spread among the busy
# ones: two of them at once on the three workers leave a core idle.
LONGEST_FIRST = (
    "test_bench_smoke.py",  # waits
    "test_faults.py",
    "test_bad_input.py",
    "test_operator_errors.py",
    "test_snapshots.py",
    "test_soak.py",  # waits; varies most (2-40 s a test)
    "test_report_page.py",
    "test_certificate.py",
    "test_crash.py",  # waits
    "test_cli.py",
    "test_report_files.py",
    "test_conversation_notifications.py",
    "test_outbox_own.py",  # waits
    "test_report_accessibility.py",
    "test_schedule.py",
    "test_lessons_post.py",
    "test_outbox_races.py",  # waits
    "test_search.py",
    "test_environment.py",  # waits
    "test_http_hardening.py",
    "test_intruders.py",
    "test_slack_connections.py",  # waits
    "test_holidays.py",
    "test_work_per_action.py",
    "test_socket_mode.py",  # waits
    "test_ends.py",
    "test_joint_reflection.py",
    "test_attention.py",
    "test_outbox_batch.py",  # waits
    "test_replay.py",
    "test_one_reminder.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within each file and of the others is kept


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


# Chromium takes about 0.7 s of CPU and as long again in wall time for each page it prints.
# The tests whose subject is a printed page (marked `chromium`: the certificate, the report's
# page, files and accessibility) print with the real one; the others, where a page is printed
# on the way (every participant's certificate on completion), with a stand-in that writes
# the same one-page PDF at once (tests/chromium_standin/).
CHROMIUM_STANDIN = Path(__file__).parent / "chromium_standin" / "chromium"


@pytest.fixture(autouse=True)
def _chromium(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("chromium") is None:
        monkeypatch.setattr(browser, "CHROMIUM", str(CHROMIUM_STANDIN))


DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])

# The directory the tests run with: three cities, coordinators, a topic contact.
DIRECTORY = """
[network]
name = "koopstadt"
coordinators = ["U0COORD1"]

[[city]]
key = "bremen"
name = "Bremen"
email_domains = ["bremen.de"]
contacts = ["U0BRE1"]

[[city]]
key = "leipzig"
name = "Leipzig"
email_domains = ["leipzig.de"]
contacts = ["U0LEI1", "U0LEI2"]

[[city]]
key = "nuernberg"
name = "Nürnberg"
email_domains = ["nuernberg.de"]
contacts = ["U0NUE1"]

[[topic]]
key = "wohnen"
name = "Wohnen"
name_en = "Housing"

[[topic]]
key = "mobilitaet"
name = "Mobilität"
name_en = "Mobility"

[[topic_contact]]
city = "bremen"
topic = "wohnen"
users = ["U0BRE3"]
"""

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    import models  # noqa: F401

    with engine.begin() as conn:
        SQLModel.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Migrate once per run: a template SQLite file, and the PostgreSQL database."""
    template = tmp_path_factory.mktemp("template") / "cr.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    urls = {"sqlite": str(template)}
    if PG_URL:
        reset_postgres(PG_URL)
        urls["postgresql"] = PG_URL
    return urls


@pytest.fixture(scope="session")
def _synced(
    _migrated: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[bytes, bytes]:
    """The SQLite template as it is, and as the first start of a test bot leaves it: with
    DIRECTORY applied at NOW (`apply_directory_file`, as `build` applies it)."""
    template = Path(_migrated["sqlite"])
    synced = tmp_path_factory.mktemp("synced") / "cr.db"
    shutil.copy(template, synced)
    engine = make_engine(f"sqlite:///{synced}")
    try:
        apply_directory_file(
            SessionFactory(engine),
            parse_directory(DIRECTORY),
            path=str(synced.with_name("directory.toml")),
            text=DIRECTORY,
            now=NOW,
            force=False,
        )
    finally:
        engine.dispose()
    return template.read_bytes(), synced.read_bytes()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, _migrated: dict[str, str], tmp_path: Path) -> str:
    """A migrated, empty database: a fresh SQLite file, or PostgreSQL truncated."""
    if request.param == "sqlite":
        path = tmp_path / "cr.db"
        shutil.copy(_migrated["sqlite"], path)
        return f"sqlite:///{path}"
    engine = make_engine(PG_URL)
    tables = ", ".join(
        t.name for t in SQLModel.metadata.sorted_tables
    )  # every table of ours, none of alembic's
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return PG_URL


@pytest.fixture
def session_factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    factory = SessionFactory(engine)
    # As the composition root does: what transactions enqueue is written when they commit.
    outbox.install(factory, home_users=people.home_users)
    yield factory
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@dataclass
class BotUnderTest:
    """The real app, served over HTTP, talking to the fake Slack."""

    runtime: Runtime
    http: SlackHTTP
    slack: FakeSlack
    clock: Clock
    url: str

    @property
    def services(self) -> Any:
        return self.runtime.services

    @property
    def session_factory(self) -> SessionFactory:
        return self.runtime.services.session_factory


def settings_for(fake: FakeSlack, database_url: str, directory: Path, **extra: str) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "CR_DIRECTORY": str(directory),
        **extra,
    }
    return Settings.from_env(env)


@pytest.fixture
def directory_file(tmp_path: Path) -> Path:
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    return path


USERS = {
    "U0REQ1": "anna.schmidt@leipzig.de",
    "U0REQ2": "ben@bremen.de",
    "U0LEI1": "lea@leipzig.de",
    "U0LEI2": "leo@leipzig.de",
    "U0BRE1": "bea@bremen.de",
    "U0BRE3": "bernd@bremen.de",
    "U0NUE1": "nina@nuernberg.de",
    "U0COORD1": "coord@koopstadt.de",
    "U0OUT1": "someone@example.org",
}


@contextmanager
def running_bot(
    fake: FakeSlack, database_url: str, directory: Path, clock: Clock, **env: str
) -> Iterator[BotUnderTest]:
    """The bot, started by the same `build` production uses, served over HTTP.

    process_before_response makes each request finish its work before the HTTP
    answer, so tests need no polling."""
    for user, email in USERS.items():
        fake.set_user(user, email=email)
    settings = settings_for(fake, database_url, directory, **env)
    runtime = build(settings, clock=clock, process_before_response=True)
    server = make_http_server(runtime, "127.0.0.1", 0)
    # Its shutdown() wakes the loop at once: no short poll interval needed.
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    fake.clear()
    # A request that completes an exchange prints its certificates (Chromium) before it
    # answers: seconds on a loaded machine.
    http = SlackHTTP(url, timeout=120)
    try:
        yield BotUnderTest(runtime, http, fake, clock, url)
    finally:
        server.shutdown()
        server.server_close()
        runtime.stop()


@pytest.fixture
def bot(
    fake_slack: FakeSlack,
    database_url: str,
    directory_file: Path,
    clock: Clock,
    _synced: tuple[bytes, bytes],
) -> Iterator[BotUnderTest]:
    """The bot on the test's database. A fresh SQLite copy gets the directory file applied
    before the start when the start would apply exactly that (DIRECTORY, at NOW, nothing
    written yet): the database is the same, and the start finds the file applied (about
    7 ms of CPU less per test; the first apply itself is tested in test_dirfile)."""
    path = make_url(database_url).database
    if (
        database_url.startswith("sqlite:")
        and path
        and clock.now == NOW
        and directory_file.read_text(encoding="utf-8") == DIRECTORY
        and Path(path).read_bytes() == _synced[0]
    ):
        Path(path).write_bytes(_synced[1])
    with running_bot(fake_slack, database_url, directory_file, clock) as running:
        yield running
