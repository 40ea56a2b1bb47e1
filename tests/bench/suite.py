"""The whole suite: bare Bolt, then the bot on each database, then the scale measures."""

from __future__ import annotations

import compileall
import dataclasses
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

from bot.infra.db import SessionFactory, make_engine
from bot.infra.directory_file import load_directory_file
from bot.usecases.directory import sync_directory
from models.types import utcnow
from tests.bench import phases, scale, sequential, servers, versus
from tests.bench.fake import BenchSlack
from tests.bench.phases import Phase
from tests.bench.sequential import Sequential
from tests.bench.servers import Memory
from tests.conftest import DIRECTORY, USERS

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Options:
    requests: int = 2000
    clients: int = 20
    workers: int = 2  # gunicorn workers for PostgreSQL (and the bare app)
    # SQLite runs as the embedded default does: one process (several processes take turns
    # at the one write lock by polling in SQLite's busy handler; clicks then missed 3 s).
    sqlite_workers: int = 1
    threads: int = 8
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    postgres_url: str = servers.DEFAULT_PG_URL
    scale_rows: int = 100_000
    scale_repeats: int = 20
    time_limit: float = 240.0  # per load phase
    wait: float = 45.0  # for the follow-up of a phase (views.open, DMs, approvals)
    warmup: int = 40  # requests before each measured load, not counted
    paced: int = 300  # submissions at `pace` per second, before the load
    pace: float = 10.0
    drain: float = 45.0  # waiting for the outbox between phases, at most
    settle: float = 10.0  # waiting for the fake to fall quiet after a phase, at most
    quiet: float = 0.5  # how long without a call counts as quiet
    cold_starts: int = 3
    outbox_rows: int = 3000  # for the outbox's throughput
    fake_clients: int = 8  # threads of the bare client measuring the fake's own limit
    sequential: int = 40  # one person at a time: submissions (and clicks) per run
    sequential_warmup: int = 5
    # Actions to one bot (plain HTTP or TLS) before the other's turn.
    sequential_batch: int = 10
    only_sequential: bool = False
    # `/cr-request` against bare Bolt side by side, in turns (0: skip), and only that.
    versus_turns: int = versus.TURNS
    versus_per_turn: int = versus.PER_TURN
    only_versus: bool = False
    only_outbox: int = 0  # measure only the outbox, its throughput this many times
    command: str = ""


@dataclass
class ServerRun:
    """One gunicorn measured: cold start, its phases, memory after the load."""

    cold_starts: list[float]  # the measured run's first, then the extra starts
    phases: dict[str, Phase] = field(default_factory=dict)
    memory: Memory | None = None
    outbox: phases.Throughput | None = None
    homes_opened: int = 0  # people whose Home tab was opened before the load
    workers: int = 0  # gunicorn workers it ran with


@dataclass
class DatabaseRun:
    database: str
    url: str
    available: str = ""  # "" when measured, else why not
    server_version: str = ""  # PostgreSQL's, for the machine line
    ours: ServerRun | None = None
    fill_seconds: float = 0.0
    builds: list[scale.Build] = field(default_factory=list)


@dataclass
class Outcome:
    options: Options
    bare: ServerRun
    databases: list[DatabaseRun]
    # One person at a time: each database's plain HTTP, then TLS.
    sequential: list[Sequential] = field(default_factory=list)
    # `/cr-request` against bare Bolt in turns, per database.
    versus: list[versus.Versus] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = [p for phase in self.bare.phases.values() for p in phase.problems]
        found += [p for run in self.sequential for p in run.problems]
        found += [f"{NAMES[run.database]}: {p}" for run in self.versus for p in run.problems]
        for run in self.databases:
            if run.ours:
                found += [
                    f"{NAMES[run.database]}: {p}"
                    for phase in run.ours.phases.values()
                    for p in phase.problems
                ]
                if run.ours.outbox is not None:
                    found += [f"{NAMES[run.database]}: {p}" for p in run.ours.outbox.problems]
        return found


def run_suite(options: Options, log: Callable[[str], None] = print) -> Outcome:
    """Run everything; each gunicorn is stopped before the next starts, and on any exit."""
    # Bytecode up to date first, as an install leaves it: else the first start after an
    # edit compiles the changed modules, and cold start measures the compiler.
    for package in ("bot", "models", "tests/bench"):
        compileall.compile_dir(servers.ROOT / package, quiet=2)
    with tempfile.TemporaryDirectory(prefix="cr-bench-") as tmp:
        work = Path(tmp)
        directory = work / "directory.toml"
        directory.write_text(DIRECTORY, encoding="utf-8")
        if options.only_sequential:
            return Outcome(options, ServerRun([]), [], _sequential(options, work, directory, log))
        if options.only_versus:
            return Outcome(options, ServerRun([]), [], [], _versus(options, work, directory, log))
        # The bare app reads no database; the URL is only there to make the env complete.
        env = servers.bot_env(api_url="", database_url="sqlite://", directory=directory)
        log("bare Bolt: start, /cr-request load")
        bare = _serve(options, "bare", servers.BARE, env, work, engine=None)
        results = []
        for database in options.databases:
            results.append(_database(options, database, work, directory, log))
        return Outcome(
            options,
            bare,
            results,
            _sequential(options, work, directory, log),
            _versus(options, work, directory, log),
        )


def _versus(
    options: Options, work: Path, directory: Path, log: Callable[[str], None]
) -> list[versus.Versus]:
    found = []
    for database in options.databases if options.versus_turns else ():
        try:
            url = _fresh(options, database, work / "versus.db")
        except Exception as exc:
            reason = f"PostgreSQL not reachable at {options.postgres_url}: {type(exc).__name__}"
            found.append(versus.Versus(database, available=reason))
            continue
        workers = options.sqlite_workers if database == "sqlite" else options.workers
        found.append(
            versus.measure(
                database=database,
                url=url,
                workers=workers,
                threads=options.threads,
                work=work,
                directory=directory,
                warmup=options.warmup,
                wait=options.wait,
                settle=options.settle,
                quiet=options.quiet,
                time_limit=options.time_limit,
                log=log,
                turns=options.versus_turns,
                per_turn=options.versus_per_turn,
            )
        )
    return found


def _sequential(
    options: Options, work: Path, directory: Path, log: Callable[[str], None]
) -> list[Sequential]:
    if not options.sequential:
        return []
    return [
        run
        for database in options.databases
        for run in sequential.measure(
            database=database,
            postgres_url=options.postgres_url,
            n=options.sequential,
            warmup=options.sequential_warmup,
            work=work,
            directory=directory,
            wait=options.wait,
            settle=options.settle,
            quiet=options.quiet,
            batch=options.sequential_batch,
            log=log,
        )
    ]


def _database(
    options: Options,
    database: str,
    work: Path,
    directory: Path,
    log: Callable[[str], None],
) -> DatabaseRun:
    try:
        url = _fresh(options, database, work / "load.db")
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {options.postgres_url}: {type(exc).__name__}"
        log(reason)
        return DatabaseRun(database, options.postgres_url, available=reason)
    run = DatabaseRun(database, url)
    env = servers.bot_env(api_url="", database_url=url, directory=directory)
    engine = make_engine(url)
    try:
        if database == "postgresql":
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar()
                run.server_version = f"PostgreSQL {version}"
        log(f"{NAMES[database]}: start the bot, then /cr-request, submissions, clicks")
        served = options
        if database == "sqlite":
            served = dataclasses.replace(options, workers=options.sqlite_workers)
        run.ours = _serve(served, "ours", servers.OURS, env, work, engine=engine)
    finally:
        engine.dispose()
    # A database of its own: the requests filed under load would crowd the digest's weeks.
    log(f"{NAMES[database]}: {options.scale_rows:,} requests for the Home tab and digest")
    engine = make_engine(_fresh(options, database, work / "scale.db"))
    try:
        session_factory = SessionFactory(engine)
        sync_directory(session_factory, load_directory_file(directory), now=utcnow())
        run.fill_seconds = scale.fill(engine, options.scale_rows)
        for name, make, repeats in (
            ("home", scale.home_builder, options.scale_repeats),
            ("digest", scale.digest_builder, options.scale_repeats),
            # More searches, for a p99 that is not simply the worst of twenty.
            ("search", scale.search_builder, options.scale_repeats * 5),
        ):
            run.builds.append(scale.measure(engine, name, make, repeats=repeats))
    finally:
        engine.dispose()
    return run


def _fresh(options: Options, database: str, sqlite_file: Path) -> str:
    """An empty, migrated database: a new SQLite file, or ours in PostgreSQL dropped first."""
    if database == "sqlite":
        return servers.prepare_sqlite(sqlite_file)
    return servers.prepare_postgres(options.postgres_url)


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _serve(
    options: Options,
    name: str,
    app: str,
    env: dict[str, str],
    work: Path,
    *,
    engine: Engine | None,
) -> ServerRun:
    log_file = work / f"gunicorn-{name}-{int(time.time() * 1000)}.log"
    # A fake of its own for each server: no state of an earlier run to slow it down. It
    # keeps connections open, as Slack does (HTTP/1.1 keep-alive).
    with BenchSlack(keep_alive=True) as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        env = {**env, "SLACK_API_URL": fake.url}
        return _measure(options, fake, name, app, env, log_file, engine)


def _measure(
    options: Options,
    fake: BenchSlack,
    name: str,
    app: str,
    env: dict[str, str],
    log_file: Path,
    engine: Engine | None,
) -> ServerRun:
    n, clients, limit = options.requests, options.clients, options.time_limit
    with servers.running(
        name, app, env, workers=options.workers, threads=options.threads, log=log_file
    ) as (server, cold):
        run = ServerRun([cold], workers=options.workers)

        def measured(key: str, go: Callable[[], Phase], *, drain: float = 0.0) -> Phase:
            """Run a phase, let its aftermath settle, and charge the CPU it took.

            With `drain`, first wait (that long at most) for the outbox to send what
            earlier phases left, so their aftermath does not load this one.
            """
            backlog = phases.drain(engine, drain) if engine is not None and drain else 0
            # Objects so far are kept for good: the fake's growing record of calls would
            # otherwise make each collection in this process (and its pause) longer.
            gc.collect()
            gc.freeze()
            server_before, local_before = servers.cpu_seconds(server.pid), _own_cpu()
            calls, connections = len(fake.calls), fake.connections
            phase = go()
            phases.settle(fake, quiet=options.quiet, timeout=options.settle)
            phase.calls = len(fake.calls) - calls
            phase.connections = fake.connections - connections
            count = max(1, len(phase.run.samples))
            phase.server_cpu = (servers.cpu_seconds(server.pid) - server_before) / count
            phase.local_cpu = (_own_cpu() - local_before) / count
            phase.backlog = backlog
            run.phases[key] = phase
            return phase

        if options.warmup:
            phases.commands(
                fake, server.port, n=options.warmup, clients=clients, time_limit=limit, wait=10
            )
            phases.settle(fake, quiet=options.quiet)
        measured(
            "commands",
            lambda: phases.commands(
                fake, server.port, n=n, clients=clients, time_limit=limit, wait=options.wait
            ),
        )
        if engine is not None:
            # Everyone has looked at their Home tab once: from then on changes refresh it
            # (coalesced per person), as for people who use the bot.
            opened = phases.open_homes(server.port, list(USERS))
            run.homes_opened = sum(1 for s in opened.samples if s.status == 200)
            phases.settle(fake, quiet=options.quiet)
            stored: list[phases.Decidable] = []

            def submit() -> Phase:
                phase, filed = phases.submissions(
                    fake, server.port, engine, n=n, clients=clients, time_limit=limit,
                    wait=options.wait,
                )  # fmt: skip
                stored.extend(filed)
                return phase

            # At a steady rate first, while the outbox is still empty: can it keep up?
            measured(
                "paced",
                lambda: phases.submissions(
                    fake, server.port, engine, n=options.paced, clients=clients,
                    time_limit=limit, wait=options.wait, rate=options.pace,
                )[0],
            )  # fmt: skip
            measured("submissions", submit, drain=options.drain)
            measured(
                "clicks",
                lambda: phases.clicks(
                    fake,
                    server.port,
                    engine,
                    stored,
                    n=n,
                    clients=clients,
                    time_limit=limit,
                    wait=options.wait,
                ),
                drain=options.drain,
            )
        if engine is not None:
            phases.drain(engine, options.drain)
            phases.settle(fake, quiet=options.quiet, timeout=options.settle)
            before = servers.cpu_seconds(server.pid)
            run.outbox = phases.outbox(fake, engine, n=options.outbox_rows, wait=options.wait)
            run.outbox.server_cpu = (servers.cpu_seconds(server.pid) - before) / max(
                1, run.outbox.sent
            )
            run.outbox.fake_clients = options.fake_clients
            run.outbox.fake_limit = phases.fake_limit(
                fake, n=options.outbox_rows, clients=options.fake_clients
            )
        run.memory = servers.memory(server.pid)
        if server.process.poll() is not None:
            print(server.log_tail(), file=sys.stderr)
    # One start is noisy on two busy cores: take more, each stopped before the next.
    for _ in range(options.cold_starts - 1):
        with servers.running(
            name, app, env, workers=options.workers, threads=options.threads, log=log_file
        ) as (_server, cold):
            run.cold_starts.append(cold)
    return run
