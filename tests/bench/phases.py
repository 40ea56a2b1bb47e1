"""The load phases: what is sent, what Slack (the fake) must see, and how long it took.

Requests are matched to what the fake records by a unique key: the trigger_id of a
command, the title of a submitted request, the request id of a click.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, text

from bot.slack import ids
from tests import payloads as p
from tests.bench.load import Run, drive, percentile
from tests.conftest import USERS
from tests.fakeslack import FakeSlack
from tests.flows import form_values

LEIPZIG_CONTACTS = ("U0LEI1", "U0LEI2")
REQUESTERS = ("U0REQ1", "U0REQ2")  # Leipzig's contacts decide on every request filed
REPEAT_SHARE = 0.1  # this share of the clicks hits an already approved request


@dataclass(frozen=True)
class Stats:
    """Latencies in seconds."""

    n: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values, default=float("nan")),
        )


@dataclass
class Phase:
    """One kind of request under load: the acks, the follow-up, and what went wrong."""

    name: str
    run: Run
    ack: Stats
    follow: Stats | None = None  # time to views.open / to the contacts' DMs
    follow_values: list[float] = field(default_factory=list)  # the same, each (commands)
    problems: list[str] = field(default_factory=list)
    # CPU seconds per request, the aftermath included: gunicorn's processes, and this
    # process (the fake Slack and the load generator). Set by the caller.
    server_cpu: float = float("nan")
    local_cpu: float = float("nan")
    backlog: int = 0  # outbox rows of earlier phases still unsent when this one began
    # Slack calls the fake answered during the phase and its aftermath, and the new
    # connections the bot opened to it meanwhile. Set by the caller.
    calls: int = 0
    connections: int = 0


def wait_until(found: Callable[[], Any], done: Callable[[Any], bool], timeout: float) -> Any:
    """Poll `found()` until `done(result)` or the timeout; return the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = found()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def settle(fake: FakeSlack, *, quiet: float = 0.5, timeout: float = 30.0) -> None:
    """Wait until the bot stops calling the fake, so one phase's aftermath stays out of the next."""
    deadline = time.monotonic() + timeout
    seen, since = len(fake.methods()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(fake.methods())
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def drain(engine: Engine, timeout: float) -> int:
    """Wait until the outbox has sent everything (or the timeout); how many rows are left."""

    def unsent() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL AND NOT dead")
                ).scalar_one()
            )

    return int(wait_until(unsent, lambda left: left == 0, timeout))


def _status_problems(run: Run, what: str) -> list[str]:
    failed = run.failed()
    if not failed:
        return []
    first = failed[0]
    return [
        f"{what}: {len(failed)} of {len(run.samples)} not answered 200 "
        f"(first: {first.status} {first.error or first.body[:200]!r})"
    ]


def _count_problem(run: Run, wanted: int, what: str) -> list[str]:
    if len(run.samples) == wanted:
        return []
    return [f"{what}: only {len(run.samples)} of {wanted} sent within the time limit"]


# ---- /cr-request


def commands(
    fake: FakeSlack, port: int, *, n: int, clients: int, time_limit: float, wait: float
) -> Phase:
    """`/cr-request`: ack latency, and request sent → the fake sees views.open (by trigger_id)."""
    tag = uuid.uuid4().hex[:8]
    users = list(USERS)
    requests = []
    for i in range(n):
        trigger = f"{1_800_000_000_000 + i}.{tag}.{uuid.uuid4().hex}"
        body = p.slash_command(
            user_id=users[i % len(users)],
            trigger_id=trigger,
            response_url=fake.response_url(f"cmd-{tag}"),
        )
        requests.append((trigger, body))
    run = drive(port, requests, clients=clients, time_limit=time_limit)
    wanted = {s.key: s.sent for s in run.samples if s.status == 200}

    def opened() -> dict[str, float]:
        found: dict[str, float] = {}
        for call in fake.calls_to("views.open"):
            trigger = str(call.params.get("trigger_id"))
            if trigger in wanted:
                found.setdefault(trigger, call.at)
        return found

    seen = wait_until(opened, lambda f: len(f) >= len(wanted), wait)
    follow = [seen[k] - sent for k, sent in wanted.items() if k in seen]
    phase = Phase(
        "/cr-request",
        run,
        Stats.of([s.latency for s in run.samples if s.status == 200]),
        Stats.of(follow),
        follow_values=follow,
    )
    phase.problems += _count_problem(run, n, "/cr-request")
    phase.problems += _status_problems(run, "/cr-request")
    if len(seen) < len(wanted):
        phase.problems.append(
            f"/cr-request: {len(wanted) - len(seen)} of {len(wanted)} got no views.open "
            f"within {wait:.0f}s"
        )
    return phase


# ---- request modal submissions


@dataclass(frozen=True)
class Decidable:
    """A stored request, and where its decision message (with the buttons) was posted."""

    request_id: int
    channel: str
    ts: str


TITLE = re.compile(r"Bench-[0-9a-f]{8}-\d{6}")


def submissions(
    fake: FakeSlack,
    port: int,
    engine: Engine,
    *,
    n: int,
    clients: int,
    time_limit: float,
    wait: float,
    rate: float | None = None,
) -> tuple[Phase, list[Decidable]]:
    """Submit `n` valid request forms (unique view and title each).

    Checks that each stored exactly one request; measures the ack, and submission sent →
    the fake sees the DMs to both contacts of the requester's city. Returns the stored
    requests with the decision message the first contact got.
    """
    tag = uuid.uuid4().hex[:8]
    # The bot under test runs on the real clock: the exchange lies a month ahead of it.
    start = date.today() + timedelta(days=30)
    dates = {
        ids.B_DATE_FROM: p.date_value(start.isoformat()),
        ids.B_DATE_TO: p.date_value((start + timedelta(days=2)).isoformat()),
    }
    requests = []
    for i in range(n):
        title = f"Bench-{tag}-{i:06d}"
        body = p.view_submission(
            callback_id=ids.VIEW_REQUEST,
            user_id=REQUESTERS[i % len(REQUESTERS)],
            values=form_values(**dates, **{ids.B_TITLE: p.text_value(title)}),
            view_id=f"VB{tag.upper()}{i:06d}",
            private_metadata=json.dumps({"lang": "de"}),
        )
        requests.append((title, body))
    run = drive(port, requests, clients=clients, time_limit=time_limit, rate=rate)
    wanted = {s.key: s.sent for s in run.samples if s.status == 200}

    posted: dict[str, tuple[str, str]] = {}  # title -> (channel, ts) of the first contact's DM

    def dms() -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = {}
        for call in fake.calls_to("chat.postMessage"):
            channel = call.params.get("channel")
            if channel not in LEIPZIG_CONTACTS or call.failed:
                continue
            match = TITLE.search(str(call.params.get("text", "")))
            if match and match.group() in wanted:
                found.setdefault(match.group(), {}).setdefault(str(channel), call.at)
                if channel == LEIPZIG_CONTACTS[0] and isinstance(call.response, dict):
                    where = (str(call.response.get("channel")), str(call.response.get("ts")))
                    posted.setdefault(match.group(), where)
        return found

    def complete(found: dict[str, dict[str, float]]) -> list[str]:
        return [t for t in wanted if len(found.get(t, {})) == len(LEIPZIG_CONTACTS)]

    seen = wait_until(dms, lambda f: len(complete(f)) >= len(wanted), wait)
    done = complete(seen)
    phase = Phase(
        "submission",
        run,
        Stats.of([s.latency for s in run.samples if s.status == 200]),
        Stats.of([max(seen[t].values()) - wanted[t] for t in done]),
    )
    phase.problems += _count_problem(run, n, "submission")
    phase.problems += _status_problems(run, "submission")
    rejected = [s for s in run.samples if s.status == 200 and b"response_action" in s.body]
    if rejected:
        phase.problems.append(
            f"submission: {len(rejected)} answered with {rejected[0].body[:200]!r}"
        )
    # DMs not seen within `wait` are late, not lost (the outbox keeps them): the table
    # says how many came in time; the smoke test asserts that all of them did.
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT title, count(*), min(id) FROM exchange_request "
                "WHERE title LIKE :prefix GROUP BY title"
            ),
            {"prefix": f"Bench-{tag}-%"},
        ).all()
    stored = {str(title): int(first) for title, _, first in rows}
    twice = [title for title, count, _ in rows if count != 1]
    if len(stored) != len(run.samples) or twice:
        phase.problems.append(
            f"submission: {len(run.samples)} sent, {len(stored)} stored"
            + (f", {len(twice)} stored more than once" if twice else "")
        )
    found = [Decidable(stored[t], *posted[t]) for t in sorted(stored) if t in posted]
    return phase, found


# ---- approve clicks


def clicks(
    fake: FakeSlack,
    port: int,
    engine: Engine,
    stored: list[Decidable],
    *,
    n: int,
    clients: int,
    time_limit: float,
    wait: float,
    repeats: float = REPEAT_SHARE,
) -> Phase:
    """Approve clicks by a Leipzig contact: first clicks approve, the last tenth (`repeats`)
    are repeats.

    Checks that every first click approved its request and every repeat was refused
    privately (a reply to the response_url).
    """
    tag = uuid.uuid4().hex[:8]
    firsts = min(len(stored), n - int(n * repeats))
    targets = stored[:firsts]
    order = targets + [targets[i % max(1, firsts)] for i in range(n - firsts)] if targets else []
    requests = [
        (
            str(target.request_id),
            p.block_actions(
                action_id=ids.A_APPROVE,
                value=f"{target.request_id}:1",
                user_id=LEIPZIG_CONTACTS[0],
                channel_id=target.channel,
                message_ts=target.ts,
                response_url=fake.response_url(f"click-{tag}"),
            ),
        )
        for target in order
    ]
    run = drive(port, requests, clients=clients, time_limit=time_limit)
    phase = Phase("click", run, Stats.of([s.latency for s in run.samples if s.status == 200]))
    phase.problems += _count_problem(run, len(order), "click")
    phase.problems += _status_problems(run, "click")
    if len(order) < n:
        phase.problems.append(f"click: only {len(stored)} stored requests to click on")
    clicked = {int(s.key) for s in run.samples if s.status == 200}
    repeats = sum(1 for s in run.samples if s.status == 200) - len(clicked)

    def approved() -> int:
        if not clicked:
            return 0
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM exchange_request WHERE status = 'approved' "
                        f"AND id IN ({','.join(map(str, sorted(clicked)))})"
                    )
                ).scalar_one()
            )

    def refusals() -> int:
        return sum(
            1 for c in fake.calls_to("response_url") if c.params.get("_name") == f"click-{tag}"
        )

    n_approved = wait_until(approved, lambda a: a >= len(clicked), wait)
    if n_approved != len(clicked):
        phase.problems.append(f"click: {n_approved} of {len(clicked)} clicked requests approved")
    n_refused = wait_until(refusals, lambda r: r >= repeats, wait)
    if n_refused != repeats:
        phase.problems.append(f"click: {n_refused} refusals for {repeats} repeated clicks")
    return phase


# ---- Home tabs


def open_homes(port: int, users: list[str]) -> Run:
    """Each of `users` opens their Home tab once (from then on changes refresh it)."""
    tag = uuid.uuid4().hex[:8]
    requests = [
        (user, p.event_callback(p.app_home_opened(user_id=user), event_id=f"Ev{tag}{i:04d}"))
        for i, user in enumerate(users)
    ]
    return drive(port, requests, clients=4, time_limit=30)


# ---- the outbox alone


@dataclass
class Throughput:
    """Messages the bot's senders got out per second, and what the fake alone can take."""

    n: int
    sent: int = 0
    seconds: float = float("nan")  # first → last chat.postMessage of these rows
    fake_limit: float = float("nan")  # msg/s the fake answers to a bare client, same run
    fake_clients: int = 0
    server_cpu: float = float("nan")  # per message
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else float("nan")


def outbox(fake: FakeSlack, engine: Engine, *, n: int, wait: float) -> Throughput:
    """`n` due chat.postMessage rows written at once, each to its own channel (as DMs to
    many people are); the senders of the running bot pick them up by themselves."""
    tag = uuid.uuid4().hex[:8]
    marker = f"Outbox-{tag}"
    from sqlalchemy import insert

    from models import OutboxMessage
    from models.types import utcnow

    now = utcnow()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            insert(table),
            [
                {
                    "method": "chat.postMessage",
                    "payload": {"channel": f"C{tag.upper()}{i:05d}", "text": marker},
                    "created_at": now,
                    "next_attempt_at": now,
                    "attempts": 0,
                    "dead": False,
                }
                for i in range(n)
            ],
        )

    def times() -> list[float]:
        return [
            c.at
            for c in fake.calls_to("chat.postMessage")
            if not c.failed and c.params.get("text") == marker
        ]

    found = wait_until(times, lambda t: len(t) >= n, wait)
    result = Throughput(n, sent=len(found))
    if len(found) >= 2:
        result.seconds = max(found) - min(found)
    if len(found) < n:
        result.problems.append(f"outbox: {len(found)} of {n} rows sent within {wait:.0f}s")
    return result


FAKE_LIMIT_SCRIPT = """
import sys, threading, time
from bot.infra.slack_http import PooledWebClient
url, n, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
left = iter(range(n))
def go():
    client = PooledWebClient(token="xoxb-bench", base_url=url)
    for i in left:
        client.chat_postMessage(channel=f"CLIMIT{i:06d}", text="limit")
threads = [threading.Thread(target=go) for _ in range(clients)]
start = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
print(n / (time.monotonic() - start))
"""


def fake_limit(fake: FakeSlack, *, n: int, clients: int) -> float:
    """chat.postMessage per second the fake answers to `clients` threads of a bare
    slack_sdk client in a process of their own (what the bot's senders are up against),
    each on a kept-open connection as the bot's are (`PooledWebClient`, no database)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", FAKE_LIMIT_SCRIPT, fake.url, str(n), str(clients)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(out.stdout.strip())
