"""One person at a time, as a real network's load is: `cr-bot run` (one process, on SQLite
or PostgreSQL) against the fake Slack with keep-alive, over plain HTTP and over TLS.

Submissions go one after another (the next when the last was answered), then approve
clicks the same way. Measured: the whole process's CPU per submission and per click,
everything that follows included (DMs, message updates, Home tabs), and the new
connections the bot opened to Slack per call it made.

The plain and the TLS bot run side by side (each with its own fake and database), and
the actions go to them in turns, a batch at a time: a machine shared with other work
changes its speed within seconds, and so meets both alike instead of whichever ran then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.infra.db import make_engine
from tests.bench import phases, servers
from tests.bench.fake import BenchSlack
from tests.conftest import USERS

TRANSPORTS = ("plain HTTP", "TLS")


@dataclass
class Sequential:
    """One database's run over one transport."""

    database: str  # "sqlite" or "postgresql"
    transport: str  # "plain HTTP" or "TLS"
    n: int
    available: str = ""  # "" when measured, else why not
    server_version: str = ""  # PostgreSQL's, for the machine line
    submission_cpu: float = float("nan")  # seconds, per submission
    click_cpu: float = float("nan")  # seconds, per approve click
    calls: int = 0  # Slack calls in the measured part
    connections: int = 0  # new connections to the fake in the measured part
    problems: list[str] = field(default_factory=list)

    @property
    def per_call(self) -> float:
        return self.connections / self.calls if self.calls else float("nan")


@dataclass
class _Bot:
    """One `cr-bot run` with its fake and database, and what was measured of it so far."""

    result: Sequential
    fake: BenchSlack
    server: servers.Gunicorn
    engine: Engine
    submitted: float = 0.0  # CPU seconds of the measured submissions
    clicked: float = 0.0
    submissions: int = 0
    clicks: int = 0


def measure(
    *,
    database: str,
    postgres_url: str,
    n: int,
    warmup: int,
    work: Path,
    directory: Path,
    wait: float,
    settle: float,
    quiet: float = 0.5,
    batch: int = 10,
    log: Callable[[str], None] = print,
) -> list[Sequential]:
    """Plain HTTP and TLS on `database`: `n` submissions, then a click on each, in batches
    of `batch` to one bot and the other in turn, after `warmup` of each on both."""
    results = [Sequential(database, transport, n) for transport in TRANSPORTS]
    try:
        urls = [_database(database, postgres_url, work, transport) for transport in TRANSPORTS]
    except Exception as exc:
        for result in results:
            result.available = f"PostgreSQL not reachable at {postgres_url}: {type(exc).__name__}"
        log(results[0].available)
        return results
    log(
        f"one person at a time on {database}, plain HTTP and TLS in turns: two `cr-bot run`, "
        f"{n} submissions and {n} clicks each"
    )
    with ExitStack() as stack:
        bots = [
            stack.enter_context(_started(result, url, work, directory))
            for result, url in zip(results, urls, strict=True)
        ]
        for bot in bots:
            _actions(bot, warmup, wait=wait, settle=settle, quiet=quiet)
        marks = [(len(bot.fake.calls), bot.fake.connections) for bot in bots]
        stored: dict[int, list[phases.Decidable]] = {id(bot): [] for bot in bots}
        for start in range(0, n, batch):
            for bot in bots:
                before = servers.cpu_seconds(bot.server.pid)
                filed = phases.submissions(
                    bot.fake, bot.server.port, bot.engine, n=min(batch, n - start), clients=1,
                    time_limit=600, wait=wait,
                )  # fmt: skip
                phases.settle(bot.fake, quiet=quiet, timeout=settle)
                bot.submitted += servers.cpu_seconds(bot.server.pid) - before
                bot.submissions += len(filed[0].run.samples)
                stored[id(bot)] += filed[1]
                _problems(bot, filed[0])
        for start in range(0, n, batch):
            for bot in bots:
                targets = stored[id(bot)][start : start + batch]
                if not targets:
                    continue
                before = servers.cpu_seconds(bot.server.pid)
                clicked = phases.clicks(
                    bot.fake, bot.server.port, bot.engine, targets, n=len(targets), clients=1,
                    time_limit=600, wait=wait, repeats=0.0,
                )  # fmt: skip
                phases.settle(bot.fake, quiet=quiet, timeout=settle)
                bot.clicked += servers.cpu_seconds(bot.server.pid) - before
                bot.clicks += len(clicked.run.samples)
                _problems(bot, clicked)
        for bot, (calls, connections) in zip(bots, marks, strict=True):
            result = bot.result
            result.calls = len(bot.fake.calls) - calls
            result.connections = bot.fake.connections - connections
            result.submission_cpu = bot.submitted / max(1, bot.submissions)
            result.click_cpu = bot.clicked / max(1, bot.clicks)
            if bot.submissions < n or bot.clicks < n:
                result.problems.append(
                    f"{_where(result)}: {bot.submissions} submissions and {bot.clicks} clicks "
                    f"measured of {n} each"
                )
            if bot.server.process.poll() is not None:
                result.problems.append(f"{_where(result)}: cr-bot exited:\n{bot.server.log_tail()}")
    return results


def _database(database: str, postgres_url: str, work: Path, transport: str) -> str:
    """A fresh database for one bot: a new SQLite file, or a PostgreSQL database of its own
    (the suite's, and one beside it for TLS) with our tables dropped and migrated again."""
    tag = "tls" if transport == "TLS" else "http"
    if database == "sqlite":
        return servers.prepare_sqlite(work / f"one-{tag}-{int(time.time() * 1000)}.db")
    if transport == "TLS":
        url = make_url(postgres_url)
        postgres_url = url.set(database=f"{url.database}_tls").render_as_string(hide_password=False)
    return servers.prepare_postgres(postgres_url)


@contextmanager
def _started(result: Sequential, url: str, work: Path, directory: Path) -> Iterator[_Bot]:
    tls = result.transport == "TLS"
    tag = f"{result.database}-{'tls' if tls else 'http'}"
    with BenchSlack(tls=tls, keep_alive=True) as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        env = servers.bot_env(api_url=fake.url, database_url=url, directory=directory)
        if fake.ca_file is not None:
            env["SSL_CERT_FILE"] = str(fake.ca_file)  # how an operator trusts a private CA
        server = servers.start_cr_bot(f"cr-bot run ({tag})", env, log=work / f"cr-bot-{tag}.log")
        engine = make_engine(url)
        try:
            if result.database == "postgresql":
                with engine.connect() as conn:
                    version = conn.execute(text("SHOW server_version")).scalar()
                    result.server_version = f"PostgreSQL {version}"
            servers.wait_first_answer(server)
            yield _Bot(result, fake, server, engine)
        finally:
            engine.dispose()
            server.stop()


def _actions(bot: _Bot, count: int, *, wait: float, settle: float, quiet: float) -> None:
    """`count` submissions, then a click on each, unmeasured (the warm-up: connections
    opened, caches filled, code paths run once)."""
    filed, stored = phases.submissions(
        bot.fake, bot.server.port, bot.engine, n=count, clients=1, time_limit=600, wait=wait
    )
    phases.settle(bot.fake, quiet=quiet, timeout=settle)
    clicked = phases.clicks(
        bot.fake, bot.server.port, bot.engine, stored, n=len(stored), clients=1,
        time_limit=600, wait=wait, repeats=0.0,
    )  # fmt: skip
    phases.settle(bot.fake, quiet=quiet, timeout=settle)
    _problems(bot, filed)
    _problems(bot, clicked)


def _problems(bot: _Bot, phase: phases.Phase) -> None:
    bot.result.problems += [f"{_where(bot.result)}: {p}" for p in phase.problems]


def _where(result: Sequential) -> str:
    return f"one at a time, {result.database}, {result.transport}"
