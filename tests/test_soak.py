"""A bounded, seeded soak: two instances of the bot on one database, people doing everything
at once, Slack failing in bursts, one instance killed mid-way; then nothing lost, nothing
doubled, and every request's state explained by its audit trail.

Two apps built as production builds them (`build`), each served over HTTP with its own
background sender, share one database and one fake Slack. Simulated people file requests,
approve them (sometimes both contacts at once), name experts for the partner cities,
withdraw, and click stale buttons; a load balancer sends each of their requests to either
instance. A chaos thread makes Slack answer 500 or 429 (Retry-After) in bursts. Half-way,
instance B dies: its next Slack call is made (Slack takes it) and then the process is gone,
before it could note anything; its claimed rows run out and instance A takes them over.
The bot's clock runs ten times as fast as the wall clock, so retries and claims run out
within the test.

`CR_SOAK_REQUESTS` (default 6) and `CR_SOAK_SEED` make a longer or another run.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.domain.states import Status
from bot.entry.http import make_http_server
from bot.entry.runtime import Runtime, build
from bot.outbox import GROUP_DM, MARKER, OBSOLETE
from bot.slack import ids
from models import AuditEntry, ExchangeRequest, Expert, OutboxMessage, RequestPartner
from tests import payloads as p
from tests.conftest import USERS, Clock, settings_for
from tests.fakeslack import FakeSlack
from tests.flows import buttons, form_values

# People click on a DM as soon as Slack shows it, which may be before its sender noted it:
# the click waits for the note as in production (the other tests wait less, conftest.py).
pytestmark = [pytest.mark.soak, pytest.mark.usefixtures("production_note_wait")]

REQUESTS = int(os.environ.get("CR_SOAK_REQUESTS", "6"))
SEED = int(os.environ.get("CR_SOAK_SEED", "20261207"))
SPEED = 10  # bot seconds per wall second
REQUESTER = "U0REQ1"  # Leipzig: its contacts decide, Bremen and Nürnberg name experts
CONTACTS = ("U0LEI1", "U0LEI2")
PARTNERS = ["bremen", "nuernberg"]
EXPERTS = {"bremen": ["U0EXP1", "U0EXP2"], "nuernberg": ["U0EXP3"]}
PATIENCE = 30.0  # wall seconds a person waits for a message before giving up on a step


class Killed(BaseException):
    """The instance is dead: nothing after this happens (not even a note)."""


class MortalClient(WebClient):
    """The Web API client of an instance that can die: once `dying` is set, its next call
    is made (Slack does the work) and then the process is gone before it sees the answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dying = threading.Event()
        self.dead = threading.Event()
        self.buried = threading.Event()  # the test is over: blocked threads may unwind

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        if self.dead.is_set():
            self._gone()
        response = super().api_call(*args, **kwargs)
        # It dies sending the outbox (its background sender, or an action's own rows sent
        # in the action's thread), with claimed rows: one Slack took, the others unsent.
        sending = threading.current_thread().name.startswith("outbox") or (
            args[:1] == ("chat.postMessage",) or kwargs.get("api_method") == "chat.postMessage"
        )
        if self.dying.is_set() and sending:
            self.dead.set()
            self._gone()
        return response

    def _gone(self) -> None:
        self.buried.wait()
        raise Killed


@dataclass
class Instance:
    name: str
    runtime: Runtime
    client: MortalClient
    http: p.SlackHTTP
    stop: Callable[[], None]  # the kill, as far as its HTTP server goes
    alive: bool = True


@contextmanager
def instance(
    name: str, fake: FakeSlack, url: str, directory: Path, clock: Clock
) -> Iterator[Instance]:
    settings = settings_for(fake, url, directory)
    # The client gives up after 1 s, 10 s of the bot's time as in production: a sender never
    # waits for Slack past its claim (a new wave starts within CLAIM/2, a call ends within
    # the timeout, so another sender never takes over a row whose call is still under way).
    client = MortalClient(token=settings.bot_token, base_url=fake.url, timeout=1)
    runtime = build(settings, client=client, clock=clock, process_before_response=True)
    server = make_http_server(runtime, "127.0.0.1", 0)
    # Its shutdown() wakes the loop at once: no short poll interval needed.
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    assert runtime.services.outbox is not None
    runtime.services.outbox.start(interval=0.1)
    http = p.SlackHTTP(f"http://127.0.0.1:{server.server_port}", timeout=4)
    try:
        # Killed: its HTTP server stops answering (requests in flight time out).
        yield Instance(name, runtime, client, http, server.shutdown)
    finally:
        client.buried.set()
        server.shutdown()
        server.server_close()
        runtime.stop()


@dataclass
class World:
    fake: FakeSlack
    instances: list[Instance]
    clock: Clock
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    triggers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, rng: random.Random, what: str, **kwargs: Any) -> tuple[int, Any]:
        """Through the load balancer: a live instance at random; a dead one's requests time
        out (Slack shows an error) and the person tries again, on whichever is alive."""
        for _attempt in range(5):
            live = [i for i in self.instances if i.alive]
            target = rng.choice(live)
            try:
                status, body = getattr(target.http, what)(**kwargs)
            except OSError:
                continue
            with self.lock:
                self.statuses[status] += 1
            return status, body
        raise AssertionError(f"no instance answered {what}")

    def note(self, problem: str) -> None:
        with self.lock:
            self.failures.append(problem)


# ---- what people see in Slack


def _messages_to(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    """The user's DM as it looks now (updates applied), oldest first, with its channel."""
    with fake._cond:  # the fake's own state: its conversations
        channel = fake._conversations.get(frozenset([user]))
    if channel is None:
        return []
    return [{**m, "channel": channel} for m in reversed(fake.messages(channel))]


def _find(
    fake: FakeSlack, user: str, action: str, request_id: int, city: str | None = None
) -> dict[str, Any] | None:
    """The newest message to `user` with button `action` naming this request (and city)."""
    for message in reversed(_messages_to(fake, user)):
        value = buttons(message.get("blocks", [])).get(action)
        if value is None or not value.startswith(f"{request_id}:"):
            continue
        if city is not None and not value.endswith(f":{city}"):
            continue
        return message
    return None


def _wait(look: Callable[[], Any], *, hope: Callable[[], bool] = lambda: True) -> Any:
    """What `look` finds once it finds something; None after PATIENCE, or as soon as there is
    no hope any more (a withdrawn request's buttons are gone for good)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = look()
        if found:
            return found
        if not hope():
            return None
        time.sleep(0.05)
    return None


def _click(
    world: World, rng: random.Random, user: str, message: dict[str, Any], action: str, **kw: Any
) -> tuple[int, Any]:
    return world.send(
        rng,
        "click",
        action_id=action,
        value=buttons(message["blocks"])[action],
        user_id=user,
        channel_id=message["channel"],
        message_ts=message["ts"],
        response_url=world.fake.response_url(f"{user}-{action}"),
        **kw,
    )


# ---- people


def _request_id(world: World, title: str) -> int | None:
    with world.instances[0].runtime.services.session_factory() as s:
        found = s.exec(select(ExchangeRequest.id).where(ExchangeRequest.title == title)).first()
    return found


def _status(world: World, request_id: int) -> str:
    with world.instances[0].runtime.services.session_factory() as s:
        request = s.get(ExchangeRequest, request_id)
        assert request is not None
        return request.status


def _name(world: World, rng: random.Random, city: str, request_id: int) -> None:
    """A contact of `city` opens the naming form from their DM and names the city's experts
    (when Slack fails to open the form, they are told so and try again)."""
    namers = _wait(
        lambda: [
            u
            for u in ("U0BRE3", "U0BRE1", "U0NUE1")
            if _find(world.fake, u, ids.A_NAME_EXPERTS, request_id, city)
        ],
        hope=lambda: _status(world, request_id) != Status.CANCELLED,
    )
    if not namers:
        return
    user = rng.choice(namers)
    for _attempt in range(4):
        message = _find(world.fake, user, ids.A_NAME_EXPERTS, request_id, city)
        if message is None:
            return  # named meanwhile (by a colleague), or the request moved on
        trigger = f"soak-{next(world.triggers)}"
        status, _ = _click(world, rng, user, message, ids.A_NAME_EXPERTS, trigger_id=trigger)
        opened = [
            c for c in world.fake.delivered("views.open") if c.params.get("trigger_id") == trigger
        ]
        if status == 200 and opened:
            view = opened[0].response["view"]
            world.send(
                rng,
                "submit",
                callback_id=view["callback_id"],
                user_id=user,
                values={ids.B_EXPERTS: {ids.VALUE: p.users_value(EXPERTS[city])}},
                view_id=view["id"],
                private_metadata=view.get("private_metadata", ""),
            )
            return
        time.sleep(rng.uniform(0.1, 0.4))


def _at_once(*steps: Callable[[], None]) -> None:
    start = threading.Barrier(len(steps))

    def run(step: Callable[[], None]) -> None:
        start.wait()
        step()

    threads = [threading.Thread(target=run, args=(s,)) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=PATIENCE * 3)


def life_of_a_request(world: World, n: int, *, namings_at_once: bool) -> None:
    """File, decide, name, withdraw — parts of it at the same moment — as people would."""
    rng = random.Random(SEED * 1000 + n)
    fake = world.fake
    title = f"Soak {SEED}-{n}"
    values = form_values(
        **{
            ids.B_TITLE: p.text_value(title),
            ids.B_PARTNERS: p.multi_select_values(PARTNERS, ["Bremen", "Nürnberg"]),
        }
    )
    for attempt in range(5):  # a submission that timed out is sent again (same view)
        status, _ = world.send(
            rng,
            "submit",
            callback_id=ids.VIEW_REQUEST,
            user_id=REQUESTER,
            values=values,
            view_id=f"VSOAK{n}",
            private_metadata='{"lang": "de"}',
        )
        if status == 200:
            break
        time.sleep(0.1 * attempt)
    request_id = _wait(lambda: _request_id(world, title))
    if request_id is None:
        world.note(f"request {title} was never stored")
        return
    withdraw_at = rng.choice(
        ["never", "never", "never", "never", "while deciding", "while naming", "after"]
    )

    def withdraw() -> None:
        message = _wait(lambda: _find(fake, REQUESTER, ids.A_CANCEL, request_id))
        if message is not None:
            _click(world, rng, REQUESTER, message, ids.A_CANCEL)

    def approve(contact: str) -> Callable[[], None]:
        def step() -> None:
            message = _wait(
                lambda: _find(fake, contact, ids.A_APPROVE, request_id),
                hope=lambda: _status(world, request_id) != Status.CANCELLED,
            )
            if message is not None:
                _click(world, rng, contact, message, ids.A_APPROVE)

        return step

    deciders = list(CONTACTS) if rng.random() < 0.4 else [rng.choice(CONTACTS)]
    steps = [approve(c) for c in deciders]
    if withdraw_at == "while deciding":
        steps.append(withdraw)
    _at_once(*steps)
    if _status(world, request_id) != "approved":
        return
    namings = [lambda city=city: _name(world, rng, city, request_id) for city in PARTNERS]
    if withdraw_at == "while naming":
        namings.append(withdraw)
    if namings_at_once:
        _at_once(*namings)
    else:
        for step in namings:
            step()
    if rng.random() < 0.5:  # a stale button: approve again, after the fact
        contact = rng.choice(CONTACTS)
        message = _find(fake, contact, ids.A_APPROVE, request_id)
        if message is not None:
            _click(world, rng, contact, message, ids.A_APPROVE)
    if withdraw_at == "after":
        withdraw()


def chaos(world: World, stop: threading.Event) -> None:
    """Slack fails in bursts: 500s, then 429s with Retry-After, on the methods the outbox
    and the listeners call."""
    rng = random.Random(SEED)
    methods = [
        "chat.postMessage",
        "chat.update",
        "conversations.open",
        "views.publish",
        "views.open",
    ]
    while not stop.wait(rng.uniform(0.3, 0.8)):
        method = rng.choice(methods)
        if rng.random() < 0.5:
            world.fake.fail(method, status=500, times=rng.randint(1, 4))
        else:
            world.fake.fail(
                method, status=429, retry_after=rng.randint(1, 3), times=rng.randint(1, 3)
            )


def tick(clock: Clock, stop: threading.Event) -> None:
    while not stop.wait(0.05):
        clock.advance(seconds=SPEED * 0.05)


# ---- the run


def soak(
    tmp_path: Path, database_url: str, directory_file: Path, *, namings_at_once: bool
) -> World:
    clock = Clock()
    with FakeSlack(clock=clock) as fake:
        for user, email in USERS.items():
            fake.set_user(user, email=email)
        with (
            instance("A", fake, database_url, directory_file, clock) as a,
            instance("B", fake, database_url, directory_file, clock) as b,
        ):
            world = World(fake, [a, b], clock)
            stop = threading.Event()
            background = [
                threading.Thread(target=chaos, args=(world, stop), daemon=True),
                threading.Thread(target=tick, args=(clock, stop), daemon=True),
            ]
            for t in background:
                t.start()
            people = [
                threading.Thread(
                    target=life_of_a_request,
                    args=(world, n),
                    kwargs={"namings_at_once": namings_at_once},
                )
                for n in range(REQUESTS)
            ]
            for i, t in enumerate(people):
                t.start()
                time.sleep(0.05)
                if i == len(people) // 2:  # half-way: B dies at its sender's next Slack call
                    b.client.dying.set()
            assert b.client.dead.wait(timeout=PATIENCE), "B never sent anything to die in"
            b.alive = False
            b.stop()
            for t in people:
                t.join(timeout=PATIENCE * 6)
            assert not any(t.is_alive() for t in people), "a person is stuck"
            stop.set()
            for t in background:
                t.join(timeout=5)
            fake.heal()
            # Time passes: B's claims run out, every retry falls due; A sends the rest.
            outbox = a.runtime.services.outbox
            assert outbox is not None
            outbox.stop()
            for _ in range(5):
                clock.advance(seconds=3600)
                while outbox.deliver_due():
                    pass
            check(world)
    return world


def check(world: World) -> None:
    fake = world.fake
    factory = world.instances[0].runtime.services.session_factory
    assert world.failures == []
    assert world.statuses[500] == 0, world.statuses
    with factory() as s:
        rows = s.exec(select(OutboxMessage)).all()
        requests = s.exec(select(ExchangeRequest)).all()
        audit = s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        experts = s.exec(select(Expert)).all()
        partners = s.exec(select(RequestPartner)).all()
    assert len(requests) == REQUESTS
    print(
        "soak:",
        Counter(r.status for r in requests),
        "posts",
        len(fake.delivered("chat.postMessage")),
        "failed calls",
        sum(1 for c in fake.calls if c.failed),
        "looks",
        len(fake.calls_to("conversations.history")),
        "http",
        dict(world.statuses),
        "rows",
        Counter("sent" if r.sent_at else "obsolete" for r in rows),
    )
    # Nothing lost: every row was sent, or is obsolete (a newer update shows all).
    lost = [r for r in rows if r.sent_at is None and not (r.last_error or "").startswith(OBSOLETE)]
    assert lost == [], [(r.id, r.method, r.last_error) for r in lost]
    # Nothing doubled: every message Slack shows carries its row's marker once.
    markers = Counter(
        (m.get("metadata") or {}).get("event_payload", {}).get("outbox_id")
        for channel in _channels(fake)
        for m in fake.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == MARKER
    )
    doubled = {k: n for k, n in markers.items() if n > 1}
    assert doubled == {}, doubled
    # Every request's state is explained by its audit trail: a chain of transitions from
    # filing to the state it is in; matched ones named by each partner city once, with one
    # group DM; none approved for ever with every city named.
    for request in requests:
        trail = [a for a in audit if a.request_id == request.id]
        chain = [a for a in trail if a.to_status is not None]
        assert chain and chain[0].action == "submit", (request.id, [a.action for a in trail])
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status, (
                request.id,
                [(a.action, a.from_status, a.to_status) for a in chain],
            )
        assert chain[-1].to_status == request.status, (
            request.id,
            request.status,
            [a.action for a in chain],
        )
        cities = {e.city_key for e in experts if e.request_id == request.id}
        wanted = {rp.city_key for rp in partners if rp.request_id == request.id}
        named = Counter(a.comment.split(":")[0] for a in trail if a.action == "name" and a.comment)
        assert all(n == 1 for n in named.values()), (request.id, named)
        if request.status == "approved":
            assert not wanted or cities != wanted, (request.id, "every city named, not matched")
        if request.status == "matched":
            assert cities == wanted, (request.id, cities, wanted)
            assert sum(1 for a in trail if a.action == "match") == 1
            intros = [r for r in rows if r.request_id == request.id and r.method == GROUP_DM]
            assert len(intros) == 1, (request.id, len(intros))


def _channels(fake: FakeSlack) -> list[str]:
    with fake._cond:  # the fake's own state: every conversation it holds
        return list(fake._messages)


def test_two_instances_under_faults_and_a_kill_lose_and_double_nothing(
    tmp_path, database_url, directory_file
):
    soak(tmp_path, database_url, directory_file, namings_at_once=False)


def test_two_instances_with_simultaneous_namings_lose_and_double_nothing(
    tmp_path, database_url, directory_file
):
    soak(tmp_path, database_url, directory_file, namings_at_once=True)


@pytest.fixture(autouse=True)
def _quiet_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads of the dead instance unwind with Killed at the end: not a test failure."""
    hook = threading.excepthook

    def excepthook(args: Any) -> None:
        if args.exc_type is not Killed:
            hook(args)

    monkeypatch.setattr(threading, "excepthook", excepthook)
