"""A crash between storing a request and telling anyone loses nothing and doubles nothing.

`python -m bot run` (HTTP, SQLite file) is killed with SIGKILL after the request is stored
while Slack refuses every post; after a restart every notification goes out exactly once.

Slack answers 500 at once (not slowly) on purpose: a row is claimed only while its call is
in flight, and a failure releases the claim. A process killed mid-call would leave its rows
claimed for a minute (the outbox's CLAIM), so they would go out a minute late: still
neither lost nor doubled, but a minute is too long for a test.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.infra.db import SessionFactory, make_engine
from bot.slack import ids
from models import ExchangeRequest, OutboxMessage
from tests import payloads as p
from tests.conftest import DIRECTORY
from tests.fakeslack import FakeSlack
from tests.flows import form_values
from tests.payloads import SlackHTTP
from tests.test_cli import HTTP_OK, clean_env, free_port, get

TOLD = {"U0REQ1", "U0LEI1", "U0LEI2"}  # the requester and both Leipzig contacts


def wait_until(what: str, ready: Callable[[], bool], timeout: float) -> float:
    """Poll until ready(); the seconds it took. AssertionError on timeout."""
    start = time.monotonic()
    while not ready():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


@contextmanager
def bot_process(
    fake: FakeSlack, tmp_path: Path, name: str
) -> Iterator[tuple[subprocess.Popen, str]]:
    """`cr-bot run` over HTTP against the fake, on the SQLite file in tmp_path."""
    port = free_port()
    env = clean_env(
        tmp_path,
        **HTTP_OK,
        SLACK_API_URL=fake.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'cr.db'}",
        CR_DIRECTORY=str(tmp_path / "directory.toml"),
        PORT=str(port),
    )
    log = tmp_path / f"{name}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, f"{name} exited:\n{log.read_text()}"
        try:
            return get(f"{base}/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_until(f"{name} answers /healthz", healthy, 60)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def outbox_posts(factory: SessionFactory) -> list[OutboxMessage]:
    with factory() as s:
        return list(
            s.exec(select(OutboxMessage).where(OutboxMessage.method == "chat.postMessage")).all()
        )


def test_killed_after_storing_sends_every_notification_once_after_restart(tmp_path):
    (tmp_path / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    start = date.today() + timedelta(days=30)
    values = form_values(
        **{
            ids.B_DATE_FROM: p.date_value(start.isoformat()),
            ids.B_DATE_TO: p.date_value((start + timedelta(days=2)).isoformat()),
        }
    )
    with FakeSlack() as fake:
        fake.set_user("U0REQ1", email="anna.schmidt@leipzig.de")
        fake.fail("chat.postMessage", status=500, times=-1)

        with bot_process(fake, tmp_path, "first") as (first, base):
            status, body = SlackHTTP(base).submit(
                callback_id=ids.VIEW_REQUEST,
                user_id="U0REQ1",
                values=values,
                view_id="V0CRASH1",
                private_metadata='{"lang": "de"}',
            )
            assert (status, body) == (200, "")  # acked after the request was stored
            factory = SessionFactory(make_engine(f"sqlite:///{tmp_path / 'cr.db'}"))
            with factory() as s:
                [request] = s.exec(select(ExchangeRequest)).all()
            assert request.status == "submitted"

            def all_tried_and_released() -> bool:
                rows = outbox_posts(factory)
                return len(rows) == 3 and all(
                    r.attempts >= 1 and r.claimed_until is None and r.sent_at is None for r in rows
                )

            wait_until("every post tried once and released", all_tried_and_released, 10)
            first.send_signal(signal.SIGKILL)
            assert first.wait(5) == -signal.SIGKILL
        assert fake.delivered("chat.postMessage") == []  # nobody was told anything yet

        fake.heal()
        restarted = time.monotonic()
        with bot_process(fake, tmp_path, "second") as (second, _base):

            def all_sent() -> bool:
                return all(r.sent_at is not None for r in outbox_posts(factory))

            wait_until("every notification sent after the restart", all_sent, 30)
            took = time.monotonic() - restarted
            second.send_signal(signal.SIGTERM)
            assert second.wait(10) == 0

        posted = Counter(c.params["channel"] for c in fake.delivered("chat.postMessage"))
        assert posted == {user: 1 for user in TOLD}, posted
        with factory() as s:
            assert len(s.exec(select(ExchangeRequest)).all()) == 1
            assert s.exec(select(OutboxMessage).where(col(OutboxMessage.dead))).all() == []
        factory.engine.dispose()
        assert took < 30
