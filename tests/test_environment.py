"""The test session never reads the developer's settings: a copied `.env.example` in the
working directory and SLACK_*/CR_* variables in the shell change no test's outcome."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_no_slack_or_cr_variable_reaches_a_test():
    assert [k for k in os.environ if k.startswith(("SLACK_", "CR_"))] == []
    assert "DATABASE_URL" not in os.environ


def test_a_copied_env_example_and_shell_settings_change_nothing(tmp_path):
    """As a newcomer runs the suite: `cp .env.example .env` and a token in the shell."""
    checkout = tmp_path / "checkout"
    shutil.copytree(
        REPO / "tests", checkout / "tests", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / ".env.example", checkout / ".env")
    shutil.copy(REPO / ".env.example", checkout / ".env.example")
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"} | {
        "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
        "CR_LANGUAGE": "en",
        "CR_TIMEZONE": "America/New_York",
        "DATABASE_URL": "sqlite:////nonexistent/dir/cr-bot.db",
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_environment.py::test_no_slack_or_cr_variable_reaches_a_test",
            "tests/test_decisions.py::test_history_needs_no_slack_token_next_to_a_copied_env_example",
        ],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
