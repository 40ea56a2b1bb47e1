"""With the database gone, Slack still gets its acks in time and people hear "try again
shortly" privately; /healthz says 503; when the database is back the bot works again by
itself, without a restart.

The bot runs as in production: acks go out before the work (process_before_response off)
and the outbox sends from its own thread.

PostgreSQL: the bot reaches the server through a TCP proxy in this test, which is cut
(listening socket closed, every connection killed) and restored.
SQLite: a file database cannot go away on its own, so this part is a simulation: the pooled
connections are dropped (as an I/O error would) and the file is moved aside with a
directory in its place, which SQLite cannot open; restoring moves the file back.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.domain.request import RequestDraft
from bot.entry.http import make_http_server
from bot.entry.runtime import Runtime, build
from bot.slack import ids
from bot.texts import t
from bot.usecases import filing
from models import ExchangeRequest
from models.types import utcnow
from tests import payloads as p
from tests.conftest import USERS, Clock, settings_for
from tests.fakeslack import FakeSlack
from tests.flows import blocks_text, buttons, form_values
from tests.payloads import SlackHTTP

ACK_LIMIT = 2.5  # Slack's is 3 s; leave room for the network between Slack and us
DB_DOWN = t("de", "error.db")


class Proxy:
    """A TCP proxy on 127.0.0.1 that can be cut (nothing connects, open connections die)
    and restored on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)  # so the accept loop notices a cut
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class SqliteOutage:
    """Simulated: pooled connections dropped, the file replaced by a directory."""

    def __init__(self, url: str, runtime: Runtime, aside: Path) -> None:
        self.path = Path(make_url(url).database or "")
        self.runtime = runtime
        self.aside = aside

    def cut(self) -> None:
        # Files away first, then the pool: a thread reconnecting in between finds nothing.
        self.aside.mkdir()
        for part in self.path.parent.glob(self.path.name + "*"):
            part.rename(self.aside / part.name)
        self.path.mkdir()
        self.runtime.services.session_factory.engine.dispose()

    def restore(self) -> None:
        self.path.rmdir()
        for part in self.aside.iterdir():
            part.rename(self.path.parent / part.name)
        self.aside.rmdir()


@dataclass
class Rig:
    """The bot over HTTP, its fake Slack, and a way to cut its database."""

    outage: Any
    runtime: Runtime
    http: SlackHTTP
    fake: FakeSlack
    base: str


@contextmanager
def rig(database_url: str, directory: Path, aside: Path, clock: Any = utcnow) -> Iterator[Rig]:
    """The bot as in production: acks before the work (process_before_response off)."""
    proxy = None
    url = database_url
    if database_url.startswith("postgresql"):
        parsed = make_url(database_url)
        proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with FakeSlack() as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        runtime = build(settings_for(fake, url, directory), clock=clock)
        server = make_http_server(runtime, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever)
        thread.daemon = True
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            yield Rig(
                proxy or SqliteOutage(url, runtime, aside), runtime, SlackHTTP(base), fake, base
            )
        finally:
            server.shutdown()
            server.server_close()
            runtime.services.outbox.stop()
            runtime.stop()
            if proxy is not None:
                proxy.cut()


@pytest.fixture
def outage_and_bot(database_url: str, directory_file: Path, tmp_path: Path) -> Iterator[Rig]:
    """With the outbox sending from its own thread, on the real clock."""
    with rig(database_url, directory_file, tmp_path / "aside") as running:
        running.runtime.services.outbox.start(0.1)
        yield running


def healthz(base: str) -> int:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def timed(send: Any, *args: Any, **kwargs: Any) -> tuple[int, Any, float]:
    start = time.monotonic()
    status, body = send(*args, **kwargs)
    return status, body, time.monotonic() - start


def reply_to(fake: FakeSlack, name: str, timeout: float = 5) -> Any:
    """The first private reply through the response_url `name` (its recorded call)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in fake.calls_to("response_url") if c.params.get("_name") == name]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"no reply through response_url {name!r} within {timeout} s")


def said(fake: FakeSlack, name: str) -> str:
    return str(reply_to(fake, name).params.get("text", ""))


def submit(http: SlackHTTP, view_id: str) -> tuple[int, Any]:
    start = date.today() + timedelta(days=30)
    return http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=form_values(
            **{
                ids.B_DATE_FROM: p.date_value(start.isoformat()),
                ids.B_DATE_TO: p.date_value((start + timedelta(days=2)).isoformat()),
            }
        ),
        view_id=view_id,
        private_metadata=json.dumps({"lang": "de"}),
    )


def approve(http: SlackHTTP, fake: FakeSlack, name: str, request_id: int) -> tuple[int, Any]:
    """U0LEI1 clicks Genehmigen on the decision message of the request."""
    [message] = [
        c
        for c in fake.delivered("chat.postMessage")
        if c.params["channel"] == "U0LEI1"
        and buttons(c.params.get("blocks") or [])
        .get(ids.A_APPROVE, "")
        .startswith(f"{request_id}:")
    ]
    return http.click(
        action_id=ids.A_APPROVE,
        value=buttons(message.params["blocks"])[ids.A_APPROVE],
        user_id="U0LEI1",
        channel_id=message.response["channel"],
        message_ts=message.response["ts"],
        response_url=fake.response_url(name),
    )


def wait_until(what: str, ready: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.02)


def all_sent(runtime: Runtime) -> bool:
    return runtime.services.outbox.pending() == 0


def statuses(runtime: Runtime) -> list[str]:
    with runtime.services.session_factory() as s:
        return [r.status for r in s.exec(select(ExchangeRequest).order_by(ExchangeRequest.id))]


def test_database_down_acks_in_time_says_try_again_and_recovers_by_itself(outage_and_bot):
    outage, runtime, http, fake, base = (
        outage_and_bot.outage,
        outage_and_bot.runtime,
        outage_and_bot.http,
        outage_and_bot.fake,
        outage_and_bot.base,
    )
    status, body = submit(http, "V0BEFORE")
    assert (status, body) == (200, "")
    wait_until("the first request's messages are out", lambda: all_sent(runtime))

    outage.cut()

    # A command: acked at once, then "try again shortly" through its response_url.
    status, body, took = timed(
        http.command, user_id="U0REQ1", text="list", response_url=fake.response_url("list")
    )
    assert (status, body) == (200, "") and took < ACK_LIMIT, (status, body, took)
    assert said(fake, "list") == DB_DOWN
    # A submission: the form stays open with the message under its first field.
    status, body, took = timed(submit, http, "V0DURING")
    assert status == 200 and took < ACK_LIMIT, (status, body, took)
    assert body == {"response_action": "errors", "errors": {ids.B_TITLE: DB_DOWN}}
    # A click: acked at once, then "try again shortly" below the message.
    status, body, took = timed(approve, http, fake, "click", 1)
    assert (status, body) == (200, "") and took < ACK_LIMIT, (status, body, took)
    assert said(fake, "click") == DB_DOWN
    assert healthz(base) == 503

    outage.restore()

    # The same bot, not restarted: everything works again.
    assert healthz(base) == 200
    status, body = submit(http, "V0AFTER")
    assert (status, body) == (200, "")
    status, _ = approve(http, fake, "again", 1)
    assert status == 200
    wait_until("the approval is stored", lambda: statuses(runtime) == ["approved", "submitted"])
    http.command(user_id="U0REQ1", text="list", response_url=fake.response_url("list-again"))
    text = blocks_text(reply_to(fake, "list-again").params["blocks"])
    assert "#1" in text and "#2" in text
    # The outbox thread carried on: the approval and the second request go out.
    wait_until("every message sent", lambda: all_sent(runtime))
    posted = Counter(
        (c.params["channel"], c.params["text"]) for c in fake.delivered("chat.postMessage")
    )
    assert all(n == 1 for n in posted.values()), posted
    assert len(posted) == 3 + 3 + 3  # two filed (requester, 2 contacts); one approved (requester,
    # the naming contact, the coordinator)


def test_a_post_slack_took_as_the_database_went_away_is_not_posted_again(
    database_url, directory_file, tmp_path
):
    """Slack accepted the post, then the database went before the outbox could note it. The
    row stays claimed; when the claim runs out the outbox looks before posting again."""
    clock = Clock()
    with rig(database_url, directory_file, tmp_path / "aside", clock) as bot:
        outbox = bot.runtime.services.outbox
        seed_request(bot.runtime, clock)  # stored with its notifications; nothing sent yet
        bot.fake.fail("chat.postMessage", delay=0.5, times=1)  # slow, but in time
        failures: list[Exception] = []

        def send() -> None:
            try:
                outbox.deliver_due()
            except Exception as exc:
                failures.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        bot.fake.wait_for("chat.postMessage")  # Slack has the first post
        bot.outage.cut()
        sender.join(10)
        assert len(failures) == 1  # it could not note that the post went out
        bot.outage.restore()

        while outbox.deliver_due():  # the rest go out; the first one is still claimed
            pass
        clock.advance(seconds=61)  # the claim runs out
        while outbox.deliver_due():
            pass

        assert outbox.pending() == 0
        posted = Counter(c.params["channel"] for c in bot.fake.delivered("chat.postMessage"))
        assert posted == {"U0REQ1": 1, "U0LEI1": 1, "U0LEI2": 1}
        assert bot.fake.delivered("conversations.history")  # it looked before posting again


def seed_request(runtime: Runtime, clock: Clock) -> None:
    services = runtime.services
    start = clock().date() + timedelta(days=30)
    filing.file_request(
        services.session_factory,
        RequestDraft(
            title="Quartiersschulen",
            question="Wie macht ihr das?",
            topic_key="wohnen",
            format="workshop",
            direction="visit",
            own_city_key="leipzig",
            partner_keys=("bremen",),
            date_from=start,
            date_to=start + timedelta(days=2),
            travellers=2,
            cost_eur=None,
        ),
        requester_id="U0REQ1",
        locale="de",
        submission_key="seed",
        ctx=services.context(),
        now=clock(),
    )
