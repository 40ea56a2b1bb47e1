"""`/cr-request` against bare Bolt in turns (issue 24's ack ratio).

Both apps are served side by side by gunicorn with the same workers and threads (on SQLite
one process, as the embedded default runs; on PostgreSQL `--workers`), each against a fake
Slack of its own that keeps connections open; 10 clients send `/cr-request` to one app,
then the same to the other, in turns (who goes first alternates), so that a shared
machine's changing load meets both alike. Every person has opened the form once before
(the warm-up): what is measured is the everyday `/cr-request`, the form from memory.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench import phases, servers
from tests.bench.fake import BenchSlack
from tests.bench.phases import Stats
from tests.conftest import USERS

CLIENTS = 10
TURNS = 6
PER_TURN = 200


@dataclass
class Versus:
    database: str
    workers: int = 0
    clients: int = CLIENTS
    turns: int = 0
    ours: Stats | None = None
    bare: Stats | None = None
    ours_open: Stats | None = None  # request sent → views.open seen by the fake
    bare_open: Stats | None = None
    # Server CPU per `/cr-request` (gunicorn's processes), its aftermath included.
    ours_cpu: float = float("nan")
    bare_cpu: float = float("nan")
    problems: list[str] = field(default_factory=list)
    available: str = ""  # "" when measured, else why not

    def ratio(self, which: str) -> float:
        if self.ours is None or self.bare is None:
            return float("nan")
        return float(getattr(self.ours, which) / getattr(self.bare, which))


def measure(
    *,
    database: str,
    url: str,
    workers: int,
    threads: int,
    work: Path,
    directory: Path,
    warmup: int,
    wait: float,
    settle: float,
    quiet: float,
    time_limit: float,
    log: Callable[[str], None],
    clients: int = CLIENTS,
    turns: int = TURNS,
    per_turn: int = PER_TURN,
) -> Versus:
    run = Versus(database, workers=workers, clients=clients, turns=turns)
    ours_env = servers.bot_env(api_url="", database_url=url, directory=directory)
    # The bare app reads no database; the URL is only there to make the env complete.
    bare_env = servers.bot_env(api_url="", database_url="sqlite://", directory=directory)
    acks: dict[str, list[float]] = {"ours": [], "bare": []}
    opens: dict[str, list[float]] = {"ours": [], "bare": []}
    cpu: dict[str, float] = {"ours": 0.0, "bare": 0.0}
    with BenchSlack(keep_alive=True) as ours_fake, BenchSlack(keep_alive=True) as bare_fake:
        for fake in (ours_fake, bare_fake):
            for user, email in USERS.items():
                fake.set_user(user, email=email)
        with ExitStack() as stack:

            def serve(
                name: str, app: str, env: dict[str, str], fake: BenchSlack
            ) -> servers.Gunicorn:
                label = f"versus-{name}-{database}"
                server, _ = stack.enter_context(
                    servers.running(
                        label,
                        app,
                        {**env, "SLACK_API_URL": fake.url},
                        workers=workers,
                        threads=threads,
                        log=work / f"gunicorn-{label}.log",
                    )
                )
                return server

            bare = serve("bare", servers.BARE, bare_env, bare_fake)
            ours = serve("ours", servers.OURS, ours_env, ours_fake)
            apps = {"ours": (ours_fake, ours), "bare": (bare_fake, bare)}
            log(f"/cr-request against bare Bolt ({database}): {turns} turns of {per_turn}")
            for fake, server in apps.values():
                phases.commands(
                    fake, server.port, n=warmup, clients=clients, time_limit=time_limit, wait=10
                )
                phases.settle(fake, quiet=quiet, timeout=settle)
            for turn in range(turns):
                order = ("bare", "ours") if turn % 2 == 0 else ("ours", "bare")
                for name in order:
                    fake, server = apps[name]
                    # As in the main table: what this process holds so far (the fakes'
                    # records of every call) is kept out of its collections, whose pauses
                    # would otherwise grow with each turn and stall the clients' clocks.
                    gc.collect()
                    gc.freeze()
                    before = servers.cpu_seconds(server.pid)
                    phase = phases.commands(
                        fake,
                        server.port,
                        n=per_turn,
                        clients=clients,
                        time_limit=time_limit,
                        wait=wait,
                    )
                    phases.settle(fake, quiet=quiet, timeout=settle)
                    cpu[name] += servers.cpu_seconds(server.pid) - before
                    acks[name] += [s.latency for s in phase.run.samples if s.status == 200]
                    opens[name] += phase.follow_values
                    run.problems += [f"{name}: {p}" for p in phase.problems]
    run.ours, run.bare = Stats.of(acks["ours"]), Stats.of(acks["bare"])
    run.ours_open, run.bare_open = Stats.of(opens["ours"]), Stats.of(opens["bare"])
    run.ours_cpu = cpu["ours"] / max(1, len(acks["ours"]))
    run.bare_cpu = cpu["bare"] / max(1, len(acks["bare"]))
    return run
