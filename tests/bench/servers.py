"""Gunicorn processes for the suite, and the databases they run on.

Each server is its own process group (master + workers), so stopping it ends exactly
the processes this suite started, even when the suite is interrupted.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.infra.db import make_engine, upgrade
from tests.payloads import SIGNING_SECRET, sign, slash_command
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
OURS = "bot.entry.wsgi:create()"
BARE = "tests.bench.bare_app:create()"
# Every setting the bot reads: set explicitly (empty = unset) so a developer's .env,
# which bot.wsgi loads without overriding, cannot leak into the measurement.
SETTINGS_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "CR_DIRECTORY",
    "CR_DIGEST_CHANNEL",
    "CR_DIGEST_SCHEDULE",
    "CR_TIMEZONE",
    "CR_LANGUAGE",
    "PORT",
    "LOG_LEVEL",
)
STOP_GRACE = 10.0


@dataclass
class Gunicorn:
    """A running gunicorn: its master's process, port and log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float  # time.monotonic() just before Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the group (graceful), SIGKILL to what is left after the grace period."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_GRACE)
        # Workers outlive a master killed hard; the group id still names them.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def server_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env.update(dict.fromkeys(SETTINGS_VARS, ""))
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def bot_env(*, api_url: str, database_url: str, directory: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "CR_DIRECTORY": str(directory),
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(
    name: str, app: str, env: dict[str, str], *, workers: int, threads: int, log: Path
) -> Gunicorn:
    """`gunicorn APP -b 127.0.0.1:PORT -w W --threads T -k gthread`, as production runs it."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", app,
        "-b", f"127.0.0.1:{port}",
        "-w", str(workers),
        "--threads", str(threads),
        "-k", "gthread",
    ]  # fmt: skip
    return start_server(name, command, env, port=port, log=log)


def start_cr_bot(name: str, env: dict[str, str], *, log: Path) -> Gunicorn:
    """`cr-bot run` (HTTP on PORT, one process), as the embedded default runs."""
    port = free_port()
    command = [sys.executable, "-m", "bot", "run"]
    return start_server(name, command, {**env, "PORT": str(port)}, port=port, log=log)


def start_server(
    name: str, command: list[str], env: dict[str, str], *, port: int, log: Path
) -> Gunicorn:
    out = log.open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env(env),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: see Gunicorn.stop
    )
    out.close()
    return Gunicorn(name, process, port, log, started)


def wait_first_answer(server: Gunicorn, *, timeout: float = 30.0) -> float:
    """Poll a signed `/cr-request help` until it is answered 200; seconds since Popen."""
    body = slash_command(text="help", user_id="U0REQ1")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name}: gunicorn exited with {server.process.returncode}:\n"
                + server.log_tail()
            )
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("POST", "/slack/events", body, sign(body))
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return time.monotonic() - server.started
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.01)
    raise RuntimeError(f"{server.name}: no answer within {timeout}s:\n" + server.log_tail())


@contextmanager
def running(
    name: str, app: str, env: dict[str, str], *, workers: int, threads: int, log: Path
) -> Iterator[tuple[Gunicorn, float]]:
    """A started gunicorn and its cold start (Popen → first 200); stopped on any exit."""
    server = start_gunicorn(name, app, env, workers=workers, threads=threads, log=log)
    try:
        cold = wait_first_answer(server)
        yield server, cold
    finally:
        server.stop()


# ---- memory


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Memory:
    processes: int
    rss_mib: float  # VmRSS summed: shared (copy-on-write) pages are counted once per process
    pss_mib: float  # proportional set size summed: shared pages split between the processes
    largest_mib: float  # VmRSS of the largest process: a worker, the one that serves


def memory(master_pid: int) -> Memory:
    pids = [master_pid, *_children(master_pid)]
    each = [_kib(Path(f"/proc/{p}/status"), "VmRSS") for p in pids]
    pss = sum(_kib(Path(f"/proc/{p}/smaps_rollup"), "Pss") for p in pids)
    return Memory(len(pids), sum(each) / 1024, pss / 1024, max(each, default=0) / 1024)


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of gunicorn's master and workers so far."""
    total = 0
    for pid in [master_pid, *_children(master_pid)]:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


# ---- databases

BENCH_PG_DATABASE = "crbot_bench"
DEFAULT_PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_PG_DATABASE}"


def prepare_sqlite(path: Path) -> str:
    """A migrated SQLite file (a restart, not a first install, is what cold start measures)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def prepare_postgres(url: str) -> str:
    """Our tables dropped and migrated again, in a database of the suite's own.

    The suite's own database (created if missing) keeps it apart from a parallel
    `pytest` on the test database, which truncates tables between tests.
    """
    _create_database(url)
    from tests.conftest import reset_postgres

    reset_postgres(url)
    return url


def _create_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database
    engine = make_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
