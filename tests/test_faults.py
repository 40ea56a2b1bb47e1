"""Slack faults at every step: nothing lost, nothing doubled, people told privately.

The outbox (after the commit): for every Web API method it calls, the fake answers 500,
429 with Retry-After, too late (a timeout: Slack did the work, the bot stopped waiting),
`ok: false` with a transient error and `ok: false` with a permanent one, during each step of
submit → approve → name experts → matched. Afterwards the outbox is drained with the clock
moved on, and what people see in Slack is compared with the same flow run without faults.
What counts as "once": a message per (conversation, text) as posted; a calendar file per
(conversation, title); the final content of every posted message (so every update landed
once it could). `views.publish` replaces the whole Home tab, so publishing it twice is
harmless: for it "at least once, and the last one shows the current state".

In the listeners (the person waits): views.open, views.update, users.info and the
response_url. Where the action could not complete the person is told privately (below the
message, or in the bot's DM when there is no response_url or it fails), and nothing is
stored twice; a prefill that fails leaves a form that works.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from bot.slack import ids
from bot.slack.listeners.home import render_home
from bot.texts import t
from models import AuditEntry, ExchangeRequest, Expert, OutboxMessage
from tests import payloads as p
from tests.conftest import DIRECTORY, Clock, running_bot
from tests.fakeslack import FakeSlack
from tests.flows import (
    blocks_text,
    click,
    form_values,
    last_dm,
    replies,
    submit_opened,
    submit_request,
)

REQUESTER, CONTACT, NAMER, COORDINATOR = "U0REQ1", "U0LEI1", "U0BRE3", "U0COORD1"
EXPERTS = ["U0EXP1", "U0EXP2"]


# Methods the outbox calls after the commit (files_upload_v2 is getUploadURLExternal, the
# upload itself, completeUploadExternal), and a permanent error each may answer.
OUTBOX_METHODS = {
    "chat.postMessage": "channel_not_found",
    "chat.update": "message_not_found",
    "conversations.open": "user_not_found",
    "files.getUploadURLExternal": "missing_scope",
    "files.completeUploadExternal": "invalid_channel",
    "views.publish": "not_enabled",
}
FAULTS = ("http500", "ratelimited", "timeout", "internal_error", "permanent")


def arm(bot: Any, method: str, fault: str, permanent_error: str = "") -> None:
    """Make `method` fail: until healed, or (timeouts, permanent errors) its next call.

    A timeout is the bot's client giving up on that one call after Slack did the work (the
    fake holds the answer until it has); its other calls keep their timeout, so that a
    healthy call on a loaded machine (CI: two workers on two cores) does not time out."""
    fake: FakeSlack = bot.slack
    if fault == "http500":
        fake.fail(method, status=500, times=-1)
    elif fault == "ratelimited":
        fake.fail(method, status=429, retry_after=30, times=-1)
    elif fault == "internal_error":
        fake.fail(method, error="internal_error", times=-1)
    elif fault == "timeout":
        fake.answer_late(bot.services.client, method)  # one per step is enough
    elif fault == "permanent":
        fake.fail(method, error=permanent_error, times=1)
    else:
        raise ValueError(fault)


def drain(bot: Any, seconds: float = 3600) -> None:
    """Let time pass and run the sender until nothing is due (as its thread would)."""
    bot.clock.advance(seconds=seconds)
    while bot.services.outbox.deliver_due():
        pass


# ---- what people see


@dataclass
class Seen:
    posts: Counter[tuple[tuple[str, ...], str]]  # (members, text) of every message posted
    finals: Counter[tuple[tuple[str, ...], str, str]]  # (members, posted text, final content)
    files: Counter[tuple[tuple[str, ...], str]]  # (members, title) of every file shared
    home_users: set[str]  # whose Home tab was published


def members_by_channel(fake: FakeSlack) -> dict[str, tuple[str, ...]]:
    """Conversation id -> its members, so runs with different ids compare."""
    with fake._cond:  # the fake's own state: which conversations it opened for whom
        return {cid: tuple(sorted(users)) for users, cid in fake._conversations.items()}


def seen(fake: FakeSlack) -> Seen:
    members = members_by_channel(fake)
    posts: Counter[tuple[tuple[str, ...], str]] = Counter()
    finals: Counter[tuple[tuple[str, ...], str, str]] = Counter()
    for call in fake.delivered("chat.postMessage"):
        channel = call.response["channel"]
        who = members.get(channel, (channel,))
        posts[(who, call.params["text"])] += 1
        [now] = [m for m in fake.messages(channel) if m["ts"] == call.response["ts"]]
        content = now["text"] + "\n" + blocks_text(now.get("blocks", []))
        # A permalink names its conversation and message ts, which differ between runs: keep
        # whose conversation it is.
        content = re.sub(
            r"/archives/(\w+)/p\d+",
            lambda m: "/archives/" + ",".join(members.get(m[1], (m[1],))),
            content,
        )
        finals[(who, call.params["text"], content)] += 1
    files = Counter(
        (
            members.get(c.params["channel_id"], (c.params["channel_id"],)),
            c.params["files"][0]["title"],
        )
        for c in fake.delivered("files.completeUploadExternal")
    )
    homes = {c.params["user_id"] for c in fake.delivered("views.publish")}
    return Seen(posts, finals, files, homes)


def last_homes(fake: FakeSlack) -> dict[str, list[Any]]:
    homes: dict[str, list[Any]] = {}
    for call in fake.delivered("views.publish"):
        homes[call.params["user_id"]] = call.params["view"]["blocks"]
    return homes


# ---- the flow


Arm = Callable[[], None]


def flow(bot: Any, arm_step: Arm, *, failing_rounds: int = 1) -> None:
    """submit → approve → name experts → matched, with the fault armed at each step.

    After each step its change is stored whatever Slack did; then the fault persists for
    `failing_rounds` retries, Slack heals, and the sender catches up."""

    def settle() -> None:
        for _ in range(failing_rounds):
            drain(bot, 60)
        bot.slack.heal()
        drain(bot)

    # Those who use the Home tab get it refreshed by the outbox at every step.
    for user in (REQUESTER, CONTACT, NAMER, COORDINATOR):
        assert bot.http.event(p.app_home_opened(user_id=user))[0] == 200
    arm_step()
    status, body = submit_request(bot, REQUESTER)
    assert (status, body) == (200, ""), body  # the modal closes: the request is stored
    assert _status(bot) == "submitted"
    settle()

    arm_step()
    status, body = click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE, name="approve")
    assert (status, body) == (200, ""), body
    assert _status(bot) == "approved"
    assert replies(bot, "approve") == []  # nothing to apologise for: the decision is stored
    settle()

    click(bot, NAMER, last_dm(bot, NAMER), ids.A_NAME_EXPERTS, name="name")
    arm_step()
    status, body = submit_opened(bot, NAMER, {ids.B_EXPERTS: {ids.VALUE: p.users_value(EXPERTS)}})
    assert (status, body) == (200, ""), body
    assert _status(bot) == "matched"
    assert replies(bot, "name") == []
    settle()


def _status(bot: Any) -> str:
    with bot.session_factory() as s:
        return s.exec(select(ExchangeRequest)).one().status


def assert_stored_once(bot: Any) -> None:
    """One request, one decision, one set of experts: however often Slack failed."""
    with bot.session_factory() as s:
        [request] = s.exec(select(ExchangeRequest)).all()
        audit = [a.action for a in s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]
        experts = sorted(e.user_id for e in s.exec(select(Expert)).all())
        waiting = s.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.dead).is_(False)
            )
        ).all()
    assert request.status == "matched"
    assert audit == ["submit", "approve", "match"]
    assert experts == EXPERTS
    assert waiting == []


def assert_homes_current(bot: Any) -> None:
    """The last Home tab each person got shows the state as it is now."""
    for user, blocks in last_homes(bot.slack).items():
        assert blocks == render_home(bot.services, user)["blocks"], user


def _dead(bot: Any) -> list[OutboxMessage]:
    with bot.session_factory() as s:
        return list(s.exec(select(OutboxMessage).where(col(OutboxMessage.dead).is_(True))).all())


# ---- the reference run, once per module


@pytest.fixture(scope="module")
def reference(_migrated: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Seen:
    """What people see after the flow when Slack never fails (SQLite; texts don't depend
    on the database)."""
    tmp = tmp_path_factory.mktemp("reference")
    shutil.copy(_migrated["sqlite"], tmp / "cr.db")
    directory = tmp / "directory.toml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    with (
        FakeSlack() as fake,
        running_bot(fake, f"sqlite:///{tmp / 'cr.db'}", directory, Clock()) as bot,
    ):
        flow(bot, lambda: None)
        assert_stored_once(bot)
        assert _dead(bot) == []
        return seen(fake)


# ---- the outbox: every method, every fault, every step


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method", OUTBOX_METHODS)
def test_outbox_fault_at_every_step_loses_and_doubles_nothing(
    bot, reference, method, fault, caplog
):
    error = OUTBOX_METHODS[method]

    flow(bot, lambda: arm(bot, method, fault, error))

    assert_stored_once(bot)
    failed = [c for c in bot.slack.calls_to(method) if c.failed]
    now = seen(bot.slack)
    if fault == "timeout":
        assert any("timeout: " in r.getMessage() for r in caplog.records)  # it did time out
    else:
        assert failed  # the fault did hit
    if fault != "permanent":
        assert now == reference
        assert_homes_current(bot)
        return
    # A permanent refusal is not retried (so never doubled); it loses only its own message,
    # and the coordinators hear of it (a Home tab is no message: it is published again).
    dead = _dead(bot)
    assert dead and all(r.attempts == 1 and r.last_error == error for r in dead)
    assert len(failed) == len(dead)
    reports = now.posts - reference.posts
    assert all(who == (COORDINATOR,) and "#1" in text and error in text for who, text in reports)
    assert now.files - reference.files == Counter()
    lost = (reference.finals - now.finals).total() + (reference.files - now.files).total()
    # A DM linking to a group DM that was never posted goes without the link: not lost.
    unlinked = [
        (who, text)
        for who, text, content in now.finals - reference.finals
        if "/archives/" not in content
        and any((w, x) == (who, text) and "/archives/" in c for w, x, c in reference.finals)
    ]
    assert not unlinked or any(r.method == "group_dm" for r in dead)
    lost -= len(unlinked)
    if method == "views.publish":
        assert (reports.total(), lost) == (0, 0)
        for row in dead:  # the person opens the Home tab: it is published, current
            bot.http.event(p.app_home_opened(user_id=row.payload["user"]))
        assert_homes_current(bot)
    else:
        assert reports.total() == lost == len(dead)


@pytest.mark.parametrize("fault", ["http500", "timeout"])
def test_upload_step_fault_loses_and_doubles_nothing(bot, reference, fault):
    """The upload between getUploadURLExternal and completeUploadExternal (not a Web API
    method, but a step of every calendar file)."""

    flow(bot, lambda: arm(bot, "upload", fault))

    assert_stored_once(bot)
    assert seen(bot.slack) == reference


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_look_after_a_timeout_neither_doubles_nor_loses_the_post(bot, fault):
    """After a post timed out the bot looks in the conversation (conversations.history)
    before posting again; when it cannot look, it looks again later rather than guess."""
    bot.slack.answer_late(bot.services.client, "chat.postMessage")  # posted, answered too late
    arm(bot, "conversations.history", fault, "missing_scope")

    submit_request(bot, REQUESTER)
    drain(bot, 60)  # the first retry: the look fails
    bot.slack.heal()
    drain(bot)

    looks = bot.slack.calls_to("conversations.history")
    assert looks and (fault == "timeout" or looks[0].failed)
    posted = Counter(c.params["channel"] for c in bot.slack.delivered("chat.postMessage"))
    if fault == "permanent":
        # It can never look (a missing scope is a setup error): posting again risks a
        # double, not posting risks a loss; it posts.
        assert posted[REQUESTER] == 2
    else:
        assert posted[REQUESTER] == 1
    assert posted[CONTACT] == posted["U0LEI2"] == 1


# ---- methods called in a listener, while the person waits: told privately, nothing stored

LISTENER_PERMANENT = {"views.open": "expired_trigger_id", "views.update": "not_found"}


def _requests(bot: Any) -> list[ExchangeRequest]:
    with bot.session_factory() as s:
        return list(s.exec(select(ExchangeRequest)).all())


def private(bot: Any, name: str, body: Any = "") -> list[str]:
    """What the person was told privately: replies through the response_url `name`, and
    the ack's own text (with process_before_response an error after the ack ends up there;
    in production it goes to the response_url)."""
    acked = [body["text"]] if isinstance(body, dict) and body.get("text") else []
    return replies(bot, name) + acked


def _said(bot: Any, name: str, body: Any, *keys: str) -> None:
    """Exactly one private message, one of these texts."""
    [said] = private(bot, name, body)
    assert said in {t("de", key) for key in keys}, said


def _approved(bot: Any) -> None:
    """A request filed and approved (Slack healthy), the naming message delivered."""
    submit_request(bot, REQUESTER)
    click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE, name="approve")
    assert _status(bot) == "approved"


@pytest.mark.parametrize("fault", FAULTS)
def test_request_form_that_cannot_open_is_said_privately(bot, fault):
    arm(bot, "views.open", fault, LISTENER_PERMANENT["views.open"])

    status, body = bot.http.command(user_id=REQUESTER, response_url=bot.slack.response_url("cmd"))

    assert status == 200
    # A timeout is no Slack error: the one error handler answers it.
    keys = ["error.modal_failed"] + (["error.generic"] if fault == "timeout" else [])
    _said(bot, "cmd", body, *keys)
    assert _requests(bot) == []
    bot.slack.heal()
    _, body = bot.http.command(user_id=REQUESTER, response_url=bot.slack.response_url("again"))
    assert private(bot, "again", body) == []
    status, body = submit_opened(bot, REQUESTER, form_values())
    assert (status, body) == (200, "")
    assert len(_requests(bot)) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_shortcut_form_that_cannot_open_is_said_in_a_dm(bot, fault):
    """A shortcut has no response_url: the person hears it in the bot's DM."""
    arm(bot, "views.open", fault, LISTENER_PERMANENT["views.open"])

    status, _ = bot.http.signed(p.form_body(_shortcut(REQUESTER)))

    assert status == 200
    [dm] = [c.params["text"] for c in bot.slack.delivered("chat.postMessage")]
    expected = {t("de", "error.modal_failed")} | (
        {t("de", "error.generic")} if fault == "timeout" else set()
    )
    assert dm in expected
    assert _requests(bot) == []


def _shortcut(user: str) -> dict[str, Any]:
    return {
        "type": "shortcut",
        "token": p.VERIFICATION_TOKEN,
        "action_ts": "1.2",
        "team": {"id": p.TEAM_ID, "domain": p.TEAM_DOMAIN},
        "user": {"id": user, "username": user.lower(), "team_id": p.TEAM_ID},
        "callback_id": ids.SHORTCUT_NEW_REQUEST,
        "trigger_id": "333.444.xyz",
        "is_enterprise_install": False,
        "enterprise": None,
    }


@pytest.mark.parametrize("method", ["users.info", "views.update"])
@pytest.mark.parametrize("fault", FAULTS)
def test_prefill_that_fails_leaves_a_working_form(bot, method, fault):
    """users.info (own city, language) and views.update (the prefilled form) come after
    the form is open: when they fail the form stays as it is and still works."""
    arm(bot, method, fault, "user_not_found" if method == "users.info" else "not_found")

    status, body = bot.http.command(user_id=REQUESTER, response_url=bot.slack.response_url("cmd"))

    assert status == 200
    assert len(bot.slack.delivered("views.open")) == 1
    assert private(bot, "cmd", body) == []  # the form is open: no "that did not work"
    status, body = submit_opened(bot, REQUESTER, form_values())
    assert (status, body) == (200, "")
    [request] = _requests(bot)
    assert request.status == "submitted"
    assert Counter(c.params["channel"] for c in bot.slack.delivered("chat.postMessage")) == {
        REQUESTER: 1,
        CONTACT: 1,
        "U0LEI2": 1,
    }


@pytest.mark.parametrize("fault", FAULTS)
def test_naming_form_that_cannot_open_is_said_privately_and_changes_nothing(bot, fault):
    _approved(bot)
    naming = last_dm(bot, NAMER)
    arm(bot, "views.open", fault, LISTENER_PERMANENT["views.open"])

    status, body = click(bot, NAMER, naming, ids.A_NAME_EXPERTS, name="name")

    assert status == 200
    keys = ["error.button_modal_failed"] + (["error.generic"] if fault == "timeout" else [])
    _said(bot, "name", body, *keys)
    assert _status(bot) == "approved"
    bot.slack.heal()
    _, body = click(bot, NAMER, naming, ids.A_NAME_EXPERTS, name="again")
    assert private(bot, "again", body) == []
    status, body = submit_opened(bot, NAMER, {ids.B_EXPERTS: {ids.VALUE: p.users_value(EXPERTS)}})
    assert (status, body) == (200, "")
    assert _status(bot) == "matched"
    with bot.session_factory() as s:
        assert sorted(e.user_id for e in s.exec(select(Expert)).all()) == EXPERTS


@pytest.mark.parametrize("fault", FAULTS)
def test_refusal_that_cannot_replace_the_form_is_said_privately(bot, fault):
    """A stale click opens the form, then finds the request decided: the form is replaced
    by the reason (views.update). When that fails, the reason comes as a private reply."""
    _approved(bot)
    arm(bot, "views.update", fault, LISTENER_PERMANENT["views.update"])

    status, body = click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_DECLINE, name="late")

    assert status == 200
    [reply] = private(bot, "late", body)
    assert "U0LEI1" in reply or reply == t("de", "error.generic"), reply
    assert _status(bot) == "approved"
    with bot.session_factory() as s:
        assert [a.action for a in s.exec(select(AuditEntry)).all()] == ["submit", "approve"]


@pytest.mark.parametrize("fault", FAULTS)
def test_home_tab_that_cannot_be_published_is_published_on_the_next_visit(bot, fault):
    submit_request(bot, REQUESTER)
    arm(bot, "views.publish", fault, "not_enabled")

    status, _ = bot.http.event(p.app_home_opened(user_id=REQUESTER))

    assert status == 200
    bot.slack.heal()
    bot.http.event(p.app_home_opened(user_id=REQUESTER))
    assert_homes_current(bot)


# ---- the private reply itself fails: the person is told in the bot's DM instead


def _dms(bot: Any, user: str) -> list[str]:
    return [
        c.params["text"]
        for c in bot.slack.delivered("chat.postMessage")
        if c.params["channel"] == user
    ]


@pytest.mark.parametrize("fault", ["http500", "ratelimited"])
def test_refusal_whose_reply_fails_comes_as_a_dm(bot, fault):
    _approved(bot)
    arm(bot, "response_url", fault)
    before = len(_dms(bot, "U0LEI2"))

    status, body = click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_APPROVE, name="late")

    assert status == 200 and body == ""
    assert [c.failed for c in bot.slack.calls_to("response_url")] == [True]
    [dm] = _dms(bot, "U0LEI2")[before:]
    assert "U0LEI1" in dm  # who decided first
    assert _status(bot) == "approved"


@pytest.mark.parametrize("fault", ["http500", "ratelimited"])
def test_form_failure_whose_reply_fails_comes_as_a_dm(bot, fault):
    _approved(bot)
    arm(bot, "views.open", "http500")
    arm(bot, "response_url", fault)

    status, _ = click(bot, NAMER, last_dm(bot, NAMER), ids.A_NAME_EXPERTS, name="name")

    assert status == 200
    assert _dms(bot, NAMER)[-1] == t("de", "error.button_modal_failed")
    assert _status(bot) == "approved"
