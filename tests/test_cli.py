"""The `cr-bot` command as an operator runs it: a real process, a clean environment.

Each run gets only PATH, HOME, PYTHONPATH (so the checkout is importable without
an install) and what the test sets, in a temporary working directory. Commands whose
process is not what a test checks (what they print, read and write) run by the same
entry function in the test process, with the same clean environment (`cr_bot_here`).
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from bot.entry import cli
from bot.entry.startup import open_database
from tests.conftest import DIRECTORY
from tests.fakeslack import FakeSlack
from tests.payloads import SIGNING_SECRET, SlackHTTP, sign, slash_command
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[1]
BOT_TOKEN = "xoxb-cli-test-token"
# What a user reads in the help (German is the default language).
HELP_LINE = "`/cr-request help` – diese Hilfe"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(REPO),
        **extra,
    }


def cr_bot(
    cwd: Path, *args: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_env(cwd, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cr_bot_here(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`cr-bot ARGS` as `cr_bot` runs it (in `cwd`, with only the clean environment and
    `env`), by its entry function in this process: its exit code is what `main` returns
    (bot/__main__.py exits with it); its stderr has what it prints, its log records (the
    root logger starts without handlers, as in a new process, so `main` sets up logging to
    stderr) and the warnings a new process would show; both read as `cr_bot` reads a
    process's output (universal newlines). The engine it opens is disposed after it, as the
    process's exit would close its connections."""
    out, err = io.StringIO(), io.StringIO()
    engines: list[Any] = []

    def opened(url: str) -> Any:
        engines.append(open_database(url))
        return engines[-1]

    def shown(message: Any, category: Any, filename: str, lineno: int, *_: Any) -> None:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno))

    environ, workdir, root = dict(os.environ), os.getcwd(), logging.getLogger()
    handlers, level = root.handlers[:], root.level
    os.environ.clear()
    os.environ.update(clean_env(cwd, **env))
    os.chdir(cwd)
    root.handlers.clear()
    try:
        with (
            patch.object(cli, "open_database", opened),
            redirect_stdout(out),
            redirect_stderr(err),
            warnings.catch_warnings(),
        ):
            warnings.resetwarnings()  # Python's defaults, not pytest's
            for quiet in (
                DeprecationWarning,
                PendingDeprecationWarning,
                ImportWarning,
                ResourceWarning,
            ):
                warnings.simplefilter("ignore", quiet)
            warnings.showwarning = shown
            try:
                code = cli.main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(workdir)
        os.environ.clear()
        os.environ.update(environ)
        root.handlers[:] = handlers
        root.setLevel(level)
        for engine in engines:
            engine.dispose()
    return subprocess.CompletedProcess(["cr-bot", *args], code, _text(out), _text(err))


def _text(stream: io.StringIO) -> str:
    """What a process's output reads as with `text=True` (universal newlines)."""
    return stream.getvalue().replace("\r\n", "\n").replace("\r", "\n")


def error_lines(stderr: str) -> list[str]:
    """The lines cr-bot itself printed (log records from libraries are other lines)."""
    return [line for line in stderr.splitlines() if line.startswith("cr-bot:")]


# ---- settings errors: exit code 2 and one line that names the variable and the fix

HTTP_OK = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
SETTINGS_ERRORS = {
    # case: (environment, variable named, words of the fix)
    "no tokens": ({}, "SLACK_BOT_TOKEN", "xoxb-"),
    "bot token prefix": (
        {**HTTP_OK, "SLACK_BOT_TOKEN": "bot-token-123"},
        "SLACK_BOT_TOKEN",
        "start with xoxb-",
    ),
    "app token not xapp": (
        {**HTTP_OK, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"},
        "SLACK_APP_TOKEN",
        "starting with xapp-",
    ),
    "timezone": ({**HTTP_OK, "CR_TIMEZONE": "Mars/Base"}, "CR_TIMEZONE", "Europe/Berlin"),
    "schedule": (
        {**HTTP_OK, "CR_DIGEST_SCHEDULE": "sometimes"},
        "CR_DIGEST_SCHEDULE",
        "'mon 09:00'",
    ),
    "port": ({**HTTP_OK, "PORT": "abc"}, "PORT", "3000"),
    "language": ({**HTTP_OK, "CR_LANGUAGE": "fr"}, "CR_LANGUAGE", "de or en"),
    "database url": (
        {**HTTP_OK, "DATABASE_URL": "nonsense"},
        "DATABASE_URL",
        "sqlite:///",
    ),
    "http without signing secret": (
        {"SLACK_BOT_TOKEN": BOT_TOKEN},
        "SLACK_SIGNING_SECRET",
        "Signing Secret",
    ),
}


@pytest.fixture(scope="module")
def settings_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """`cr-bot run` once per broken environment, all started at once (each takes ~1 s)."""
    started = {}
    for case, (env, _, _) in SETTINGS_ERRORS.items():
        cwd = tmp_path_factory.mktemp("settings")
        started[case] = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=cwd,
            env=clean_env(cwd, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    results = {}
    for case, process in started.items():
        try:
            stdout, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        results[case] = subprocess.CompletedProcess(
            process.args, process.returncode, stdout, stderr
        )
    return results


@pytest.mark.parametrize("case", SETTINGS_ERRORS)
def test_run_with_a_bad_setting_names_it_and_the_fix(settings_runs, case):
    _, variable, fix = SETTINGS_ERRORS[case]
    result = settings_runs[case]

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith(f"cr-bot: {variable}"), line
    assert fix in line


def test_run_without_tokens_prints_only_the_one_line(settings_runs):
    result = settings_runs["no tokens"]

    [only_line] = result.stderr.splitlines()
    assert only_line.startswith("cr-bot: SLACK_BOT_TOKEN is not set")


def test_run_reads_dotenv_from_the_working_directory(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=bot-token-from-dotenv\n", encoding="utf-8")

    result = cr_bot(tmp_path, "run")

    assert error_lines(result.stderr) == [
        "cr-bot: SLACK_BOT_TOKEN does not look like a Slack token: it must start with xoxb-."
    ]


def test_run_with_an_unreachable_database_names_database_url(tmp_path):
    result = cr_bot(
        tmp_path, "run", **HTTP_OK, DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/x"
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith("cr-bot: DATABASE_URL"), line


# ---- `cr-bot run` in HTTP mode


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def http_process(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`cr-bot run` in HTTP mode against the fake, until /healthz answers."""
    directory = tmp_path / "directory.toml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    port = free_port()
    env = clean_env(
        tmp_path,
        **HTTP_OK,
        SLACK_API_URL=fake_slack.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'cr.db'}",
        CR_DIRECTORY=str(directory),
        PORT=str(port),
    )
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.fail(f"cr-bot run exited with {process.returncode}:\n{log.read_text()}")
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/healthz did not answer 200 within 10 s:\n{log.read_text()}")
            time.sleep(0.05)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_run_over_http_checks_signatures_answers_and_stops_cleanly(http_process, fake_slack):
    process, base = http_process
    [auth] = fake_slack.calls_to("auth.test")
    assert auth.token == BOT_TOKEN
    slack = SlackHTTP(base)
    # A command that would open the modal, if it got through.
    new_request = slash_command(user_id="U0REQ1", trigger_id="111.222.forged")

    forged = slack.post(new_request, sign(new_request, secret="another-secret"))
    unsigned = slack.post(new_request, {"Content-Type": "application/x-www-form-urlencoded"})
    replayed = slack.post(new_request, sign(new_request, timestamp=int(time.time()) - 360))
    help_request = slash_command(user_id="U0REQ1", text="help")
    status, text, _ = slack.post(help_request, sign(help_request))

    assert [forged[0], unsigned[0], replayed[0]] == [401, 401, 401]
    assert status == 200
    assert text.startswith("{"), text  # the help is the JSON body of the ack
    assert HELP_LINE in json.loads(text)["text"]
    assert fake_slack.calls_to("views.open") == []

    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0


# ---- directory, database and history commands


def test_directory_check_accepts_the_example_file(tmp_path):
    example = REPO / "directory.example.toml"

    result = cr_bot(tmp_path, "directory", "check", str(example))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{example}: ok"


def test_directory_check_names_entry_and_field_of_a_broken_file(tmp_path):
    broken = tmp_path / "directory.toml"
    broken.write_text(
        DIRECTORY.replace('contacts = ["U0LEI1", "U0LEI2"]', 'contacts = ["U0LEI1", "u0lei2"]'),
        encoding="utf-8",
    )

    result = cr_bot(tmp_path, "directory", "check", str(broken))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f'{broken}: [[city]] #2 (key "leipzig"), field contacts: '
        '"u0lei2" is not a Slack user ID (like "U0123ABCD")'
    ]
    assert result.stdout == ""


def test_directory_sync_twice_then_db_upgrade(tmp_path, database_url, directory_file):
    # What the commands print and write is the subject here, not their process.
    first = cr_bot_here(
        tmp_path, "directory", "sync", str(directory_file), DATABASE_URL=database_url
    )
    second = cr_bot_here(
        tmp_path, "directory", "sync", str(directory_file), DATABASE_URL=database_url
    )
    upgrade = cr_bot_here(tmp_path, "db", "upgrade", DATABASE_URL=database_url)

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{directory_file}: directory synced: ")
    assert "cities 3 added" in first.stdout
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"{directory_file}: directory synced: nothing changed"
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.strip() == "database is up to date"


def test_history_of_an_unknown_request_fails(tmp_path, database_url):
    result = cr_bot_here(tmp_path, "history", "4711", DATABASE_URL=database_url)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "cr-bot: no request #4711"
    assert result.stdout == ""


# ---- commands that only use the database need no Slack settings at all


@pytest.mark.parametrize("dotenv", ["no SLACK_ variables", "a copied .env.example"])
def test_offline_commands_need_no_slack_token(tmp_path, database_url, directory_file, dotenv):
    if dotenv == "a copied .env.example":  # its SLACK_BOT_TOKEN and SLACK_APP_TOKEN: placeholders
        (tmp_path / ".env").write_text((REPO / ".env.example").read_text(), encoding="utf-8")
    sync = cr_bot(tmp_path, "directory", "sync", str(directory_file), DATABASE_URL=database_url)
    assert sync.returncode == 0, sync.stderr
    assert sync.stdout.startswith(f"{directory_file}: directory synced: ")

    commands = {
        "check": ("directory", "check", str(directory_file)),
        "upgrade": ("db", "upgrade"),
        "history": ("history", "4711"),
        "report": ("report", "--year", "2026", "--format", "csv"),
        "export": ("export", "--user", "U0REQ1"),
        "purge": ("purge", "--older-than", "365d"),
        "digest": ("digest", "--dry-run"),
    }
    # The sync above is the real process next to the .env; the commands run in this one.
    done = {}
    for name, args in commands.items():
        result = cr_bot_here(tmp_path, *args, DATABASE_URL=database_url)
        done[name] = ((result.stdout, result.stderr), result.returncode)

    for name, ((_, stderr), _) in done.items():
        assert "SLACK_" not in stderr, (name, stderr)
    assert done["check"] == ((f"{directory_file}: ok\n", ""), 0)
    assert done["upgrade"][0][0] == "database is up to date\n"
    assert done["history"][1] == 1
    assert done["history"][0][1].splitlines()[-1] == "cr-bot: no request #4711"
    assert done["report"][1] == 0, done["report"][0][1]
    assert done["report"][0][0].startswith("C+R-Jahresbericht 2026\n")
    assert done["export"][1] == 0, done["export"][0][1]
    assert json.loads(done["export"][0][0])["user_id"] == "U0REQ1"
    assert done["purge"][1] == 0, done["purge"][0][1]
    assert done["purge"][0][0].startswith("dry run: 0 closed requests older than 365 days")
    assert done["digest"][1] == 0, done["digest"][0][1]
    assert done["digest"][0][0].startswith("C+R-Austausche der nächsten vier Wochen\n")
