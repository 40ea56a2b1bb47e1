"""The first minutes of an operator (issue #12): every mistake at start is one line on
stderr, prefixed `cr-bot: `, exit code 2, no traceback. Each test runs the real command
in a clean environment and a temporary working directory (see tests/test_cli.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError

import pytest

from bot.entry.startup import slack_failure
from tests.conftest import DIRECTORY
from tests.fakeslack import FakeSlack, FakeSocketModeServer
from tests.test_cli import (
    BOT_TOKEN,
    HTTP_OK,
    REPO,
    clean_env,
    cr_bot,
    cr_bot_here,
    free_port,
    get,
)

APP_TOKEN = "xapp-1-operator-test"


def only_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line on stderr of a failed start (exit code 2)."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cr-bot: "), lines[0]
    return lines[0].removeprefix("cr-bot: ")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory with a directory file, as the README's quick start leaves it."""
    (tmp_path / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    return tmp_path


def run_against(fake: FakeSlack, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return cr_bot(cwd, "run", SLACK_API_URL=fake.url, **env)


def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    return free_port()


# ---- 1. tokens Slack refuses


@pytest.mark.parametrize(
    "error", ["invalid_auth", "not_authed", "account_inactive", "token_revoked"]
)
def test_a_refused_bot_token_is_one_line(fake_slack, workdir, error):
    fake_slack.fail("auth.test", error=error, times=-1)

    line = only_line(run_against(fake_slack, workdir, **HTTP_OK))

    assert line == (
        f"SLACK_BOT_TOKEN was refused by Slack ({error}): check the Bot User OAuth Token "
        "(xoxb-…) under OAuth & Permissions."
    )
    assert len(fake_slack.calls_to("auth.test")) == 1


def test_a_refused_app_token_is_one_line_and_asks_slack_once(fake_slack, workdir):
    fake_slack.fail("apps.connections.open", error="invalid_auth", times=-1)

    line = only_line(
        run_against(fake_slack, workdir, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN)
    )

    assert line.startswith(
        "SLACK_APP_TOKEN was refused by Slack (invalid_auth): check the App-Level Token (xapp-…)"
    ), line
    [opened] = fake_slack.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN


def test_the_placeholders_of_env_example_are_one_line(tmp_path):
    shutil.copy(REPO / ".env.example", tmp_path / ".env")

    line = only_line(cr_bot(tmp_path, "run"))

    assert line.startswith("SLACK_BOT_TOKEN is still the example value of .env.example"), line


# ---- 2. Slack out of reach


def test_an_unreachable_slack_is_one_line_naming_the_url(workdir):
    url = f"http://127.0.0.1:{closed_port()}/api/"

    line = only_line(cr_bot(workdir, "run", **HTTP_OK, SLACK_API_URL=url))

    assert line.startswith(f"Slack at {url} cannot be reached (Connection refused)"), line
    assert "the bot will not start without Slack" in line


@pytest.mark.parametrize(
    "failure",
    [
        TimeoutError("timed out"),
        URLError(TimeoutError("timed out")),
        ConnectionResetError(104, "x"),
    ],
)
def test_timeouts_and_resets_name_the_url_too(failure):
    error = slack_failure(failure, api_url="https://slack.com/api/", token="SLACK_BOT_TOKEN")

    assert error is not None
    assert str(error).startswith("Slack at https://slack.com/api/ cannot be reached (")
    assert "the bot will not start without Slack" in str(error)


def test_slack_failing_is_not_called_a_refused_token(fake_slack, workdir):
    fake_slack.fail("auth.test", status=500, times=-1)

    line = only_line(run_against(fake_slack, workdir, **HTTP_OK))

    assert line.startswith(f"Slack at {fake_slack.url} answered fatal_error: "), line
    assert "will not start without Slack" in line


# ---- 3. the port


def test_a_port_in_use_is_one_line(fake_slack, workdir):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]

        line = only_line(run_against(fake_slack, workdir, **HTTP_OK, PORT=str(port)))

    assert line.startswith(f"PORT {port} is in use: "), line


# ---- 4. the database driver

# Makes `import psycopg` fail as it does where the [postgres] extra is not installed.
BLOCK_PSYCOPG = """
import sys

class _NoPsycopg:
    def find_spec(self, name, path=None, target=None):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoPsycopg())
"""


@pytest.mark.parametrize("command", [["run"], ["db", "upgrade"]])
def test_postgresql_without_its_driver_says_what_to_install(workdir, command):
    blocker = workdir / "no-psycopg"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_PSYCOPG, encoding="utf-8")

    result = cr_bot(
        workdir,
        *command,
        **HTTP_OK,
        DATABASE_URL="postgresql+psycopg://crbot@127.0.0.1:1/crbot",
        PYTHONPATH=os.pathsep.join([str(blocker), str(REPO)]),
    )

    assert only_line(result) == (
        "DATABASE_URL is PostgreSQL, but its driver is not installed: "
        "pip install 'cr-bot[postgres]'"
    )


def test_an_unknown_database_driver_is_one_line(workdir):
    # What the command prints is the subject here, not its process (the missing driver's
    # import fails the same way in either).
    line = only_line(
        cr_bot_here(
            workdir, "db", "upgrade", DATABASE_URL="postgresql+nosuchdriver://x@127.0.0.1/x"
        )
    )

    assert line.startswith("DATABASE_URL (postgresql+nosuchdriver://…) names a database driver")
    assert "sqlite:///cr-bot.db" in line


# ---- 5. LOG_LEVEL


def test_log_level_in_any_case(tmp_path):
    result = cr_bot(tmp_path, "db", "upgrade", LOG_LEVEL="debug")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_log_level_lists_the_valid_ones(tmp_path):
    line = only_line(cr_bot(tmp_path, "db", "upgrade", LOG_LEVEL="loud"))

    assert line == (
        "LOG_LEVEL='loud' is not a log level: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
    )


# ---- 6. --output


def test_report_into_a_missing_folder_is_one_line(tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.csv"

    line = only_line(cr_bot_here(tmp_path, "report", "--year", "2026", "--output", str(target)))

    assert line == (
        f"--output {target}: the folder {target.parent} does not exist: create it or name "
        "another file."
    )


def test_export_into_a_folder_is_one_line_and_records_nothing(tmp_path):
    line = only_line(cr_bot_here(tmp_path, "export", "--user", "U0REQ1", "--output", str(tmp_path)))

    assert line.startswith(f"--output {tmp_path} is a folder: name a file"), line
    with sqlite3.connect(tmp_path / "cr-bot.db") as db:
        [(exports,)] = db.execute("SELECT count(*) FROM audit_entry WHERE action = 'export'")
    assert exports == 0  # checked before the export, which the audit trail would record


# ---- 7. the directory file as a file


def test_directory_file_with_a_bom_is_accepted(tmp_path):
    path = tmp_path / "directory.toml"
    path.write_bytes(b"\xef\xbb\xbf" + DIRECTORY.encode())

    # What the commands read and print is the subject here, not their process.
    checked = cr_bot_here(tmp_path, "directory", "check", str(path))
    synced = cr_bot_here(tmp_path, "directory", "sync", str(path))

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == f"{path}: ok"
    assert synced.returncode == 0, synced.stderr


@pytest.mark.parametrize("kind", ["folder", "latin-1"])
def test_a_directory_file_that_is_no_text_file_is_one_line(fake_slack, tmp_path, kind):
    path = tmp_path / "directory.toml"
    if kind == "folder":
        path.mkdir()
        words = "is a folder, not a file"
    else:
        path.write_bytes(DIRECTORY.replace("Nürnberg", "N\xfcrnberg").encode("latin-1"))
        line = DIRECTORY[: DIRECTORY.index("Nürnberg")].count("\n") + 1
        words = f"not UTF-8 text (line {line}, byte 0xfc): save it as UTF-8"

    # The commands' output is the subject; the start is a real process.
    checked = cr_bot_here(tmp_path, "directory", "check", str(path))
    synced = cr_bot_here(tmp_path, "directory", "sync", str(path))
    started = run_against(fake_slack, tmp_path, **HTTP_OK)

    for result in (checked, synced):
        assert result.returncode == 1, result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith(f"{path}: {words}"), line
    assert only_line(started).startswith(f"CR_DIRECTORY={path.name}: {words}")
    assert fake_slack.calls == []  # stopped before Slack


# ---- 8. cron commands check their own settings


def test_digest_without_a_channel_says_to_set_it_before_calling_slack(fake_slack, tmp_path):
    line = only_line(
        cr_bot(tmp_path, "digest", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.url)
    )

    assert line.startswith("CR_DIGEST_CHANNEL is not set: `cr-bot digest` needs the ID"), line
    assert fake_slack.calls == []


@pytest.mark.parametrize("command", ["digest", "remind", "reflect"])
def test_cron_commands_need_the_bot_token(tmp_path, command):
    line = only_line(cr_bot(tmp_path, command, CR_DIGEST_CHANNEL="C0DIGEST"))

    assert line.startswith(f"SLACK_BOT_TOKEN is not set: `cr-bot {command}` posts through Slack")


def test_cron_commands_need_no_signing_secret(fake_slack, tmp_path):
    result = cr_bot_here(
        tmp_path,
        "remind",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake_slack.url,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("remind: ")


# ---- 10. no directory file


def test_run_without_a_directory_file_says_how_to_make_one(fake_slack, tmp_path):
    line = only_line(run_against(fake_slack, tmp_path, **HTTP_OK))

    assert line == (
        "CR_DIRECTORY=directory.toml not found: copy directory.example.toml to directory.toml, "
        "fill in your cities and people, check it with "
        "`cr-bot directory check directory.toml`"
    )
    assert fake_slack.calls == []


def test_run_without_the_file_but_a_synced_directory_warns_and_starts(fake_slack, workdir):
    database = f"sqlite:///{workdir / 'cr.db'}"
    synced = cr_bot_here(workdir, "directory", "sync", "directory.toml", DATABASE_URL=database)
    assert synced.returncode == 0, synced.stderr
    (workdir / "directory.toml").unlink()

    with started(fake_slack, workdir, **HTTP_OK, DATABASE_URL=database) as (process, log):
        pass

    assert process.returncode == 0, log.read_text()
    assert (
        "WARNING bot.entry.server: CR_DIRECTORY=directory.toml not found: using the directory "
        "from the last sync in the database"
    ) in log.read_text()


# ---- 9. a clean start says what it does, and nothing from libraries


def wait_until(ready, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"cr-bot run exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"not up within {timeout} s:\n{log.read_text()}")
        time.sleep(0.05)


class started:
    """`cr-bot run` against the fake until it is up (HTTP: /healthz; Socket Mode: the
    WebSocket connected), then SIGTERM and wait. Yields (process, stderr log)."""

    def __init__(
        self,
        fake: FakeSlack,
        cwd: Path,
        socket_server: FakeSocketModeServer | None = None,
        **env: str,
    ) -> None:
        self.fake, self.cwd, self.socket_server, self.env = fake, cwd, socket_server, env

    def __enter__(self) -> tuple[subprocess.Popen, Path]:
        port = free_port()
        env = clean_env(
            self.cwd,
            SLACK_API_URL=self.fake.url,
            PORT=str(port),
            PYTHONWARNINGS="default",  # show DeprecationWarnings, which Python hides
            **self.env,
        )
        self.log = self.cwd / "stderr.log"
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        if self.socket_server is not None:
            server = self.socket_server
            wait_until(lambda: server.connected > 0, self.process, self.log)
        else:

            def healthy() -> bool:
                try:
                    return get(f"http://127.0.0.1:{port}/healthz")[0] == 200
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    return False

            wait_until(healthy, self.process, self.log)
        return self.process, self.log

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def library_noise(stderr: str) -> list[str]:
    """Warnings of any kind, and any line that is not one of our own log records."""
    return [
        line
        for line in stderr.splitlines()
        if "Warning" in line or "WARNING" in line or " bot." not in line
    ]


def test_an_http_start_has_no_library_warnings(fake_slack, workdir):
    with started(fake_slack, workdir, **HTTP_OK) as (process, log):
        pass

    stderr = log.read_text()
    assert process.returncode == 0, stderr
    assert library_noise(stderr) == []
    assert "INFO bot.entry.server: directory directory.toml synced: " in stderr


@pytest.fixture
def socket_server(fake_slack: FakeSlack) -> Iterator[FakeSocketModeServer]:
    with FakeSocketModeServer() as server:
        fake_slack.socket_mode_url = server.url
        yield server


def test_a_socket_mode_start_has_no_library_warnings(fake_slack, socket_server, workdir):
    with started(
        fake_slack,
        workdir,
        socket_server,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
    ) as (process, log):
        pass

    stderr = log.read_text()
    assert process.returncode == 0, stderr
    # The SDK's session lines (INFO, on the logger bot.app hands Bolt) are ours to see.
    assert library_noise(stderr) == []
    assert len(fake_slack.calls_to("apps.connections.open")) == 1


# ---- 11. gunicorn with a fatal setting stops once instead of booting workers in a loop


def gunicorn(cwd: Path, *config: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """gunicorn as the README runs it, two workers; (result, seconds until it exited)."""
    command = [sys.executable, "-m", "gunicorn", *config, "bot.entry.wsgi:create()"]
    command += ["-b", f"127.0.0.1:{free_port()}", "-w", "2", "-k", "gthread", "--threads", "2"]
    began = time.monotonic()
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(cwd, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, time.monotonic() - began


def our_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cr-bot: ")]


GUNICORN_CONF = ("-c", "python:bot.entry.gunicorn_conf")


def test_gunicorn_without_signing_secret_stops_once_in_the_master(workdir):
    result, seconds = gunicorn(workdir, *GUNICORN_CONF, SLACK_BOT_TOKEN=BOT_TOKEN)

    assert result.returncode == 2, result.stderr
    assert seconds < 20
    [line] = our_lines(result.stderr)
    assert line.startswith("cr-bot: SLACK_SIGNING_SECRET is not set"), line
    assert "Booting worker" not in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_with_a_refused_token_stops_once_in_the_master(fake_slack, workdir):
    fake_slack.fail("auth.test", error="invalid_auth", times=-1)

    result, _ = gunicorn(workdir, *GUNICORN_CONF, **HTTP_OK, SLACK_API_URL=fake_slack.url)

    assert result.returncode == 2, result.stderr
    assert our_lines(result.stderr) == [
        "cr-bot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): check the Bot User OAuth "
        "Token (xoxb-…) under OAuth & Permissions."
    ]
    assert len(fake_slack.calls_to("auth.test")) == 1


def test_gunicorn_without_the_config_still_stops_instead_of_looping(workdir):
    result, seconds = gunicorn(workdir, SLACK_BOT_TOKEN=BOT_TOKEN)

    # Workers exit with WORKER_BOOT_ERROR, so the master gives up: exit code 3, or 1 when
    # both workers fail at once (gunicorn then trips over the second one while halting).
    assert result.returncode in (1, 3), result.stderr
    assert seconds < 20
    lines = our_lines(result.stderr)
    assert 1 <= len(lines) <= 2, result.stderr  # once per worker booted, not in a loop
    assert all(line.startswith("cr-bot: SLACK_SIGNING_SECRET is not set") for line in lines)
    assert "Worker failed to boot." in result.stderr


def test_gunicorn_with_the_config_serves(fake_slack, workdir):
    port = free_port()
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_CONF, "bot.entry.wsgi:create()"]
    command += ["-b", f"127.0.0.1:{port}", "-w", "2"]
    env = clean_env(workdir, **HTTP_OK, SLACK_API_URL=fake_slack.url)
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=workdir, env=env, stderr=stderr)
    try:

        def healthy() -> bool:
            try:
                return get(f"http://127.0.0.1:{port}/healthz")[0] == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        wait_until(healthy, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)

    assert process.returncode == 0, log.read_text()
    assert "directory directory.toml synced" in log.read_text()
