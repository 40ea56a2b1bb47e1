"""One person at a time, as a real network's load is: `cr-bot run` (one process, on SQLite
or PostgreSQL) against the fake Slack with keep-alive, over plain HTTP and over TLS.

Submissions go one after another (the next when the last was answered), then approve
clicks the same way. Measured: the whole process's CPU per submission and per click,
everything that follows included (DMs, message updates, Home tabs), and the new
connections the bot opened to Slack per call it made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from bot.infra.db import make_engine
from tests.bench import phases, servers
from tests.bench.fake import BenchSlack
from tests.conftest import USERS


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


def measure(
    *,
    database: str,
    postgres_url: str,
    tls: bool,
    n: int,
    warmup: int,
    work: Path,
    directory: Path,
    wait: float,
    settle: float,
    quiet: float = 0.5,
    log: Callable[[str], None] = print,
) -> Sequential:
    """Start `cr-bot run` on a fresh database (a new SQLite file, or the suite's PostgreSQL
    database with our tables dropped and migrated again) against its own fake; measure it."""
    transport = "TLS" if tls else "plain HTTP"
    result = Sequential(database, transport, n)
    tag = f"{database}-{'tls' if tls else 'http'}"
    if database == "sqlite":
        url = servers.prepare_sqlite(work / f"one-{tag}-{int(time.time() * 1000)}.db")
    else:
        try:
            url = servers.prepare_postgres(postgres_url)
        except Exception as exc:
            result.available = f"PostgreSQL not reachable at {postgres_url}: {type(exc).__name__}"
            log(result.available)
            return result
    log(
        f"one person at a time on {database} over {transport}: `cr-bot run`, "
        f"{n} submissions, {n} clicks"
    )
    with BenchSlack(tls=tls, keep_alive=True) as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        env = servers.bot_env(api_url=fake.url, database_url=url, directory=directory)
        if fake.ca_file is not None:
            env["SSL_CERT_FILE"] = str(fake.ca_file)  # how an operator trusts a private CA
        server = servers.start_cr_bot(f"cr-bot run ({tag})", env, log=work / f"cr-bot-{tag}.log")
        engine = make_engine(url)
        try:
            if database == "postgresql":
                with engine.connect() as conn:
                    version = conn.execute(text("SHOW server_version")).scalar()
                    result.server_version = f"PostgreSQL {version}"
            servers.wait_first_answer(server)

            def both(count: int) -> tuple[phases.Phase, phases.Phase, float]:
                """`count` submissions, then a click on each; the CPU so far in between."""
                filed, stored = phases.submissions(
                    fake, server.port, engine, n=count, clients=1, time_limit=600, wait=wait
                )
                phases.settle(fake, quiet=quiet, timeout=settle)
                between = servers.cpu_seconds(server.pid)
                clicked = phases.clicks(
                    fake, server.port, engine, stored, n=len(stored), clients=1,
                    time_limit=600, wait=wait, repeats=0.0,
                )  # fmt: skip
                phases.settle(fake, quiet=quiet, timeout=settle)
                return filed, clicked, between

            both(warmup)  # connections opened, caches filled, code paths run once
            before = servers.cpu_seconds(server.pid)
            calls, connections = len(fake.calls), fake.connections
            filed, clicked, between = both(n)
            after = servers.cpu_seconds(server.pid)
            result.calls = len(fake.calls) - calls
            result.connections = fake.connections - connections
            result.submission_cpu = (between - before) / max(1, len(filed.run.samples))
            result.click_cpu = (after - between) / max(1, len(clicked.run.samples))
            where = f"one at a time, {database}, {transport}"
            result.problems += [f"{where}: {p}" for p in filed.problems + clicked.problems]
            if server.process.poll() is not None:
                result.problems.append(f"{where}: cr-bot exited:\n{server.log_tail()}")
        finally:
            engine.dispose()
            server.stop()
    return result
