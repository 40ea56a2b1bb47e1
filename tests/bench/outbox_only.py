"""`python -m tests.bench --only-outbox`: only what the outbox is measured by, quicker than
the whole suite. For each database one bot (as the main table runs it): the 20-client
burst of submissions (submission → the contacts' DMs) with every Home tab opened, then
`--outbox-repeats` times the outbox's throughput (due rows written at once) beside the
fake's own limit, each measured right after the other."""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from bot.infra.db import make_engine
from tests.bench import phases, servers
from tests.bench.fake import BenchSlack
from tests.bench.suite import NAMES, Options
from tests.conftest import DIRECTORY, USERS


def run(o: Options, *, repeats: int, log: Callable[[str], None]) -> list[str]:
    """One line per measure."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="cr-bench-outbox-") as tmp:
        work = Path(tmp)
        directory = work / "directory.toml"
        directory.write_text(DIRECTORY, encoding="utf-8")
        for database in o.databases:
            if database == "sqlite":
                url = servers.prepare_sqlite(work / "load.db")
                workers = o.sqlite_workers
            else:
                url = servers.prepare_postgres(o.postgres_url)
                workers = o.workers
            env = servers.bot_env(api_url="", database_url=url, directory=directory)
            engine = make_engine(url)
            try:
                log(f"{NAMES[database]}: the burst, then the outbox {repeats} times")
                lines += _measure(o, database, env, engine, workers, work, repeats)
            finally:
                engine.dispose()
    return lines


def _measure(
    o: Options,
    database: str,
    env: dict[str, str],
    engine: Engine,
    workers: int,
    work: Path,
    repeats: int,
) -> list[str]:
    name = NAMES[database]
    lines = []
    with BenchSlack(keep_alive=True) as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        env = {**env, "SLACK_API_URL": fake.url}
        log_file = work / f"gunicorn-{database}.log"
        with servers.running(
            "ours", servers.OURS, env, workers=workers, threads=o.threads, log=log_file
        ) as (server, _cold):
            phases.open_homes(server.port, list(USERS))
            phases.settle(fake, quiet=o.quiet)
            n = o.requests
            if n:
                phase, _ = phases.submissions(
                    fake, server.port, engine, n=n, clients=o.clients,
                    time_limit=o.time_limit, wait=o.wait,
                )  # fmt: skip
                dms = phase.follow
                lines.append(
                    f"{name}: submission → DMs, {o.clients} clients × {n}: "
                    f"p50 {dms.p50 * 1000:.0f} ms · p95 {dms.p95 * 1000:.0f} ms · "
                    f"p99 {dms.p99 * 1000:.0f} ms ({dms.n} of {n})"
                    + (f"; problems: {phase.problems}" if phase.problems else "")
                )
                phases.drain(engine, o.drain)
                phases.settle(fake, quiet=o.quiet, timeout=o.settle)
            ratios = []
            for _ in range(repeats):
                before = servers.cpu_seconds(server.pid)
                box = phases.outbox(fake, engine, n=o.outbox_rows, wait=o.wait)
                cpu = (servers.cpu_seconds(server.pid) - before) / max(1, box.sent)
                limit = phases.fake_limit(fake, n=o.outbox_rows, clients=o.fake_clients)
                ratios.append(box.rate / limit)
                lines.append(
                    f"{name}: outbox {box.rate:,.0f} msg/s ({box.sent} in {box.seconds:.2f} s, "
                    f"server CPU {cpu * 1000:.2f} ms/msg), fake alone {limit:,.0f} msg/s: "
                    f"÷ {box.rate / limit:.2f}"
                    + (f"; problems: {box.problems}" if box.problems else "")
                )
            if ratios:
                lines.append(f"{name}: outbox ÷ fake, median of {len(ratios)}: "
                             f"{statistics.median(ratios):.2f}")  # fmt: skip
        if server.process.poll() is not None:
            print(server.log_tail(), file=sys.stderr)
    return lines
