"""Connections to Slack kept open: over TLS and keep-alive, calls reuse them; one that
Slack closed meanwhile is replaced, and nothing is lost or posted twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.infra.slack_http import NoAnswer, PooledWebClient
from bot.slack import ids
from tests.conftest import BotUnderTest, running_bot
from tests.fakeslack import FakeSlack
from tests.flows import submit_request
from tests.payloads import text_value

CONTACTS = ("U0LEI1", "U0LEI2")  # Leipzig's contacts: each gets a DM per request


@pytest.fixture
def tls_slack() -> Iterator[FakeSlack]:
    with FakeSlack(tls=True, keep_alive=True) as fake:
        yield fake


@pytest.fixture
def tls_bot(tls_slack, database_url, directory_file, clock, monkeypatch) -> Iterator[BotUnderTest]:
    # Trusted as an operator would trust a private CA: SSL_CERT_FILE, no setting of ours.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_slack.ca_file))
    with running_bot(tls_slack, database_url, directory_file, clock) as running:
        yield running


def _submit(bot: BotUnderTest, i: int) -> str:
    title = f"Kita-Besuch {i:03d}"
    values = {ids.B_TITLE: text_value(title)}
    status, body = submit_request(bot, f"U0REQ{1 + i % 2}", view_id=f"V0CONN{i:03d}", **values)
    assert status == 200, body
    return title


def _drain(bot: BotUnderTest) -> None:
    bot.clock.advance(seconds=600)
    while bot.services.outbox.deliver_due():
        pass


def _dms(fake: FakeSlack, title: str) -> Counter[str]:
    """How often each contact's DM about `title` reached Slack (answered or not)."""
    return Counter(
        str(c.params["channel"])
        for c in fake.calls_to("chat.postMessage")
        if not c.failed and title in str(c.params.get("text", ""))
    )


def test_submissions_over_tls_reuse_the_connections(tls_bot):
    fake = tls_bot.slack
    for i in range(3):  # warm-up: the senders' and listeners' connections are opened
        tls_bot.http.command(user_id="U0REQ1", trigger_id=f"{i}.conn")
        _submit(tls_bot, i)
        _drain(tls_bot)
    connections, calls = fake.connections, len(fake.calls)
    titles = []
    for i in range(3, 15):
        # The form opened by the listener (Bolt's client for it), then the submission's DMs.
        status, _ = tls_bot.http.command(user_id="U0REQ1", trigger_id=f"{i}.conn")
        assert status == 200
        titles.append(_submit(tls_bot, i))
        _drain(tls_bot)
    assert len(fake.delivered("views.open")) == 3 + 12
    new_calls = len(fake.calls) - calls
    new_connections = fake.connections - connections
    assert new_calls >= 12 * 3  # the requester's receipt and both contacts' DMs, at least
    assert new_connections / new_calls <= 0.05, (new_connections, new_calls)
    for title in titles:
        assert _dms(fake, title) == dict.fromkeys(CONTACTS, 1)
    # What the contact reads arrived intact over TLS (the push text as well).
    dm = next(c for c in fake.delivered("chat.postMessage") if titles[-1] in c.params["text"])
    assert "Neue Anfrage" in dm.params["text"] or titles[-1] in str(dm.params["blocks"])


@pytest.mark.parametrize("how", ["idle timeout", "restart"])
def test_a_connection_slack_closed_meanwhile_is_replaced_without_loss_or_double(
    database_url, directory_file, clock, monkeypatch, how
):
    idle = 0.2 if how == "idle timeout" else None
    with FakeSlack(tls=True, keep_alive=True, idle_timeout=idle) as fake:
        monkeypatch.setenv("SSL_CERT_FILE", str(fake.ca_file))
        with running_bot(fake, database_url, directory_file, clock) as bot:
            first = _submit(bot, 1)
            _drain(bot)
            if how == "restart":
                assert fake.drop_connections() >= 1
            time.sleep(0.6)  # the closing reaches the bot's idle connections
            before = fake.connections
            second = _submit(bot, 2)
            _drain(bot)
            assert fake.connections > before  # new connections replaced the closed ones
            assert _dms(fake, first) == dict.fromkeys(CONTACTS, 1)
            assert _dms(fake, second) == dict.fromkeys(CONTACTS, 1)
            assert not [c for c in fake.calls if c.failed]


def test_a_post_whose_answer_is_cut_off_is_found_not_posted_again(tls_bot):
    """Slack posted it and the connection broke before the answer: not re-sent blindly
    (slack_sdk's connection retry would have); the outbox looks, finds it, and is done."""
    fake = tls_bot.slack
    fake.fail("chat.postMessage", cut=True, times=1)
    title = _submit(tls_bot, 1)
    _drain(tls_bot)
    cut = [c for c in fake.calls_to("chat.postMessage") if c.cut]
    assert len(cut) == 1
    assert _dms(fake, title) == dict.fromkeys(CONTACTS, 1)
    posted = Counter(str(c.params["channel"]) for c in fake.calls_to("chat.postMessage"))
    assert posted == {"U0REQ2": 1, "U0LEI1": 1, "U0LEI2": 1}  # the receipt, both DMs
    assert fake.delivered("conversations.history")  # it looked before posting again


def test_replies_by_response_url_reuse_the_connections(tls_bot):
    """Bolt's `respond` (the list of one's requests) and the private reply to a refused
    click go by the response_url over the bot's kept-open connections, not one each."""
    fake = tls_bot.slack
    title = _submit(tls_bot, 0)  # filed by U0REQ1
    _drain(tls_bot)
    for _ in range(2):  # warm-up: the connections of the listener's threads are opened
        tls_bot.http.command(user_id="U0REQ1", text="list", response_url=fake.response_url("w"))
    connections = fake.connections
    for i in range(6):
        status, _ = tls_bot.http.command(
            user_id="U0REQ1", text="list", response_url=fake.response_url(f"list{i}")
        )
        assert status == 200
    replies = [c for c in fake.delivered("response_url") if c.params["_name"].startswith("list")]
    assert len(replies) == 6
    assert all(title in str(c.params) for c in replies)  # what the requester reads
    assert replies[0].params["response_type"] == "ephemeral"
    assert fake.connections == connections  # no new connection for any of them


def test_the_private_reply_of_a_refusal_reuses_the_connections(tls_slack):
    from bot.infra.slack_http import webhook_client
    from bot.slack.listeners.common import tell_privately

    client = PooledWebClient(token="xoxb-test", base_url=tls_slack.url, ssl=tls_slack.client_ssl())
    for i in range(3):
        tell_privately(client, tls_slack.response_url(f"r{i}"), "U0REQ1", f"Nein {i}")
    sent = webhook_client(client, tls_slack.response_url("plain")).send(text="Hallo")
    assert sent.status_code == 200 and sent.body == "ok"
    assert [c.params["text"] for c in tls_slack.delivered("response_url")] == [
        "Nein 0", "Nein 1", "Nein 2", "Hallo",
    ]  # fmt: skip
    assert not tls_slack.calls_to("chat.postMessage")  # not the DM fallback
    assert tls_slack.connections == 1


# ---- the client alone


def test_retry_handlers_and_rate_limits_work_through_the_pool(tls_slack):
    quick = FixedValueRetryIntervalCalculator(0)
    client = PooledWebClient(
        token="xoxb-test",
        base_url=tls_slack.url,
        ssl=tls_slack.client_ssl(),
        retry_handlers=[
            RateLimitErrorRetryHandler(1, quick),
            ServerErrorRetryHandler(1, quick),
        ],
    )
    tls_slack.fail("chat.postMessage", status=429, retry_after=0, times=1)
    tls_slack.fail("chat.update", status=500, times=1)
    posted = client.chat_postMessage(channel="C0ONE", text="Hallo")
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Hallo!")
    assert [c.failed for c in tls_slack.calls] == [True, False, True, False]
    assert tls_slack.messages("C0ONE")[0]["text"] == "Hallo!"
    assert tls_slack.connections == 1  # error answers leave the connection open too

    # Without a handler the 429 reaches the caller with its Retry-After, as before.
    tls_slack.fail("chat.postMessage", status=429, retry_after=30, times=1)
    plain = PooledWebClient(token="xoxb-test", base_url=tls_slack.url, ssl=tls_slack.client_ssl())
    with pytest.raises(SlackApiError) as raised:
        plain.chat_postMessage(channel="C0ONE", text="noch mal")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "30"


def test_uploads_use_the_pool(tls_slack):
    client = PooledWebClient(token="xoxb-test", base_url=tls_slack.url, ssl=tls_slack.client_ssl())
    client.files_upload_v2(channel="C0ONE", content="a,b\n1,2\n", filename="bericht.csv")
    assert tls_slack.methods() == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert tls_slack.delivered("upload")[0].params["content"] == b"a,b\n1,2\n"
    assert tls_slack.connections == 1


def test_a_cut_off_answer_is_not_resent_by_the_client(tls_slack):
    client = PooledWebClient(token="xoxb-test", base_url=tls_slack.url, ssl=tls_slack.client_ssl())
    tls_slack.fail("chat.postMessage", cut=True, times=1)
    with pytest.raises(NoAnswer):
        client.chat_postMessage(channel="C0ONE", text="einmal")
    assert len(tls_slack.calls_to("chat.postMessage")) == 1
    assert client.chat_postMessage(channel="C0ONE", text="zweimal")["ok"]  # a new connection


def test_a_timeout_is_a_timeout_error(tls_slack):
    client = PooledWebClient(
        token="xoxb-test", base_url=tls_slack.url, ssl=tls_slack.client_ssl(), timeout=1
    )
    tls_slack.fail("chat.postMessage", delay=1.5, times=1)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C0ONE", text="spät")
    assert len(tls_slack.calls_to("chat.postMessage")) == 1


def test_an_untrusted_certificate_or_no_server_is_a_url_error(tls_slack):
    # Without SSL_CERT_FILE or a context the fake's certificate is not trusted: refused
    # before anything is sent, as urllib refuses it.
    client = PooledWebClient(token="xoxb-test", base_url=tls_slack.url, retry_handlers=[])
    with pytest.raises(URLError) as raised:
        client.auth_test()
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value.reason)
    assert tls_slack.calls == []
    with FakeSlack() as gone:
        url = gone.url
    closed = PooledWebClient(token="xoxb-test", base_url=url)
    with pytest.raises(URLError) as refused:
        closed.auth_test()
    assert isinstance(refused.value.reason, ConnectionRefusedError)


def test_the_default_client_is_pooled_and_plain_http_still_works(fake_slack):
    from bot.entry.app import make_client
    from bot.infra.settings import Settings

    env = {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s"}
    settings = Settings.from_env({**env, "SLACK_API_URL": fake_slack.url})
    client = make_client(settings)
    assert isinstance(client, PooledWebClient) and isinstance(client, WebClient)
    assert client.auth_test()["ok"]
    assert client.chat_postMessage(channel="C0ONE", text="Hallo")["ok"]
    assert fake_slack.connections == 2  # HTTP/1.0, as the fake answers by default: one each
