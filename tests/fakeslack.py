"""Fake Slack for tests: the Web API over HTTP and a Socket Mode server, both on loopback.

Every request is recorded with its parameters so tests assert on what Slack
would have received. Responses follow Slack's documented shapes.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import copy
import functools
import itertools
import json
import select
import selectors
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.infra.slack_http import PooledWebClient

APP_ID = "A0CRBOT"
FAKE_EPOCH = 1_700_000_000 * 1_000_000  # µs: the fake's own clock, without a real one
BOT_ID = "B0CRBOT"
# Parameters slack_sdk (or a form post) may send as JSON-encoded strings.
JSON_PARAMS = ("blocks", "view", "attachments", "metadata", "users", "files")

Answer = tuple[int, dict[str, str], "dict[str, Any] | str"]

# A call answered late (`FakeSlack.answer_late`) carries this header: the fake does its work,
# then holds the answer until the client has given up and closed the connection (at most
# HOLD_AT_MOST seconds), so the client times out whatever its timeout and the machine's load.
LATE_HEADER = "X-Fake-Answer-Late"
# How long the client waits for such a call (its other calls keep the client's timeout).
LATE_TIMEOUT = 0.2
HOLD_AT_MOST = 30.0


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    raw_params: dict[str, Any]
    token: str | None
    at: float
    failed: bool = False
    content_type: str = ""
    response: Any = None
    cut: bool = False  # acted on, then the connection closed without an answer


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    delay: float | None
    times: int
    cut: bool = False


class FakeSlack:
    """Fake Slack Web API on 127.0.0.1 with an ephemeral port.

    By default it answers plain HTTP/1.0 and closes each connection after its answer.
    `tls=True` serves HTTPS with a self-signed certificate (`ca_file`, for SSL_CERT_FILE,
    or `client_ssl()`); `keep_alive=True` answers HTTP/1.1 and keeps connections open, as
    Slack does (`idle_timeout`: closes one idle that long). `connections` counts the
    connections accepted, to set against the calls."""

    def __init__(
        self,
        *,
        team_id: str = "T0CRBOT",
        bot_user_id: str = "U0CRBOT",
        clock: Callable[[], datetime] | None = None,
        tls: bool = False,
        keep_alive: bool = False,
        idle_timeout: float | None = None,
    ) -> None:
        # A message's ts is Slack's time when it was posted: this clock's, unique and rising;
        # without one, a clock of the fake's own that starts at 1700000000 and moves 100 µs
        # a message (what tests/test_snapshots.py recognises as the fake's).
        self.clock = clock
        self._last_ts = FAKE_EPOCH
        self.tls = tls
        self.keep_alive = keep_alive
        self.idle_timeout = idle_timeout
        self.ca_file: Path | None = self_signed_certificate()[0] if tls else None
        self.connections = 0  # accepted so far
        self._open: set[socket.socket] = set()
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = BOT_ID
        self.socket_mode_url: str | None = None
        self.calls: list[Call] = []
        self.base = ""
        self.url = ""
        self._cond = threading.Condition()  # guards calls, failures and all fake state
        self._failures: dict[str, list[_Failure]] = {}
        self._late: dict[str, int] = {}  # method -> calls still to answer late
        self._late_done: set[str] = set()  # late calls whose work is done
        self._late_tags = itertools.count(1)
        self._ids = itertools.count(1)
        self._users: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._conversations: dict[frozenset[str], str] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
            "apps.connections.open": self._apps_connections_open,
        }

    # ---- lifecycle

    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer

    def start(self) -> FakeSlack:
        """Start serving in a daemon thread."""
        self._server = _serving(self.server_class)(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        scheme = "https" if self.tls else "http"
        self.base = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self.url = f"{self.base}/api/"
        threading.Thread(target=self._server.serve_forever, name="fakeslack", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.drop_connections()

    def drop_connections(self) -> int:
        """Close every open connection (as a restarted Slack front end would); how many."""
        with self._cond:
            open_now, self._open = list(self._open), set()
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return len(open_now)

    def client_ssl(self) -> ssl.SSLContext:
        """A client context that trusts this fake's certificate."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- inspection

    def calls_to(self, method: str) -> list[Call]:
        """All calls to method, failed ones included, in arrival order."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def delivered(self, method: str) -> list[Call]:
        """Calls to method that were answered normally."""
        return [c for c in self.calls_to(method) if not c.failed]

    def methods(self) -> list[str]:
        """Method names of all calls in arrival order."""
        with self._cond:
            return [c.method for c in self.calls]

    def clear(self) -> None:
        """Forget recorded calls (state such as messages and views is kept)."""
        with self._cond:
            self.calls.clear()

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, *, delivered: bool = False
    ) -> list[Call]:
        """Block until at least count calls to method arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c for c in self.calls if c.method == method and not (delivered and c.failed)
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, "failed" if c.failed else "ok") for c in self.calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, "
                        f"got {len(found)}; calls seen: {seen}"
                    )
                self._cond.wait(remaining)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages posted to channel, newest first (like conversations.history)."""
        with self._cond:
            return _copied(self._history(channel))

    def shared_files(self, channel: str) -> list[dict[str, Any]]:
        """Every file shared into `channel` (a user id: the DM with them), oldest first, once
        per share: {"id", "name", "title", "content" (bytes), "comment"}."""
        with self._cond:
            found = []
            for message in reversed(self._history(self._resolve_channel(channel))):
                for f in message.get("files") or []:
                    known = self._files.get(f["id"], {})
                    found.append(
                        {
                            "id": f["id"],
                            "name": f.get("name"),
                            "title": f.get("title"),
                            "content": known.get("content", b""),
                            "comment": message.get("text", ""),
                        }
                    )
            return found

    def view(self, view_id: str) -> dict[str, Any]:
        """The current state of a view the fake knows."""
        with self._cond:
            return _copied(self._views[view_id])

    def response_url(self, name: str = "x") -> str:
        """A response_url whose POSTs are recorded as method "response_url"."""
        return f"{self.base}/response/{name}"

    # ---- setup

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        times: int = 1,
        cut: bool = False,
    ) -> None:
        """Make the next `times` calls of method fail (times=-1: until heal).

        status=500 -> HTTP 500; status=429 -> rate limited with Retry-After;
        error=... alone -> HTTP 200 {"ok": false}; delay -> sleep, then answer
        normally (the work is done, as on real Slack; only the client may time out);
        cut -> do the work, then close the connection without an answer.
        """
        if status is None and retry_after is not None:
            status = 429
        if status is None and error is None and delay is None and not cut:
            raise ValueError("fail() needs status, error, retry_after, delay or cut")
        if status == 429 and retry_after is None:
            retry_after = 1
        rule = _Failure(status or 200, error, retry_after, delay, times, cut)
        with self._cond:
            self._failures.setdefault(method, []).append(rule)

    def heal(self, method: str | None = None) -> None:
        """Drop failure rules (late answers included) for method, or all of them."""
        with self._cond:
            if method is None:
                self._failures.clear()
                self._late.clear()
            else:
                self._failures.pop(method, None)
                self._late.pop(method, None)

    def answer_late(self, client: PooledWebClient, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` that `client` makes time out after Slack has
        done their work: the client waits LATE_TIMEOUT seconds for each (its other calls
        keep its own timeout), the fake does the work and holds the answer until the client
        has given up, and the client's timeout reaches its caller once the work is done (as
        when Slack answers too late). A call is "delivered": done, with no answer in time."""
        with self._cond:
            self._late[method] = self._late.get(method, 0) + times
        if getattr(client, "_late_of", None) is self:
            return
        send = client._send

        def send_or_time_out(
            url: str, data: Any, headers: dict[str, str], timeout: float
        ) -> tuple[Any, ...]:
            method = _method_of(urlsplit(url).path) or ""
            with self._cond:
                if self._late.get(method, 0) > 0:
                    self._late[method] -= 1
                    tag = f"{method}#{next(self._late_tags)}"
                else:
                    tag = ""
            if not tag:
                return send(url, data, headers, timeout)
            try:
                return send(url, data, {**headers, LATE_HEADER: tag}, LATE_TIMEOUT)
            except TimeoutError:
                with self._cond:
                    self._cond.wait_for(lambda: tag in self._late_done, HOLD_AT_MOST)
                raise

        client._send = send_or_time_out  # type: ignore[method-assign,assignment]
        client._late_of = self  # type: ignore[attr-defined]

    def set_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        locale: str = "de-DE",
        tz: str = "Europe/Berlin",
        real_name: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        """Make users.info / users.lookupByEmail know this user."""
        with self._cond:
            self._users[user_id] = {
                "email": email,
                "locale": locale,
                "tz": tz,
                "real_name": real_name or user_id,
                "deleted": deleted,
                "is_bot": is_bot,
            }

    # ---- request handling (called from server threads)

    def _answer(self, method: str, params: dict[str, Any], call: Call) -> tuple[Answer, float]:
        with self._cond:
            rule = self._take_failure(method)
            delay = (rule.delay or 0.0) if rule else 0.0
            call.cut = bool(rule and rule.cut)
            if rule and (rule.status != 200 or rule.error):
                call.failed = True
                error = rule.error or _status_error(rule.status)
                headers = {} if rule.retry_after is None else {"Retry-After": str(rule.retry_after)}
                answer: Answer = (rule.status, headers, {"ok": False, "error": error})
            else:
                answer = (200, {}, self._dispatch(method, params))
            call.response = _copied(answer[2])
            self.calls.append(call)
            self._cond.notify_all()
        return answer, delay

    def _take_failure(self, method: str) -> _Failure | None:
        rules = self._failures.get(method) or []
        if not rules:
            return None
        rule = rules[0]
        if rule.times > 0:
            rule.times -= 1
            if rule.times == 0:
                rules.pop(0)
        return rule

    def _dispatch(self, method: str, p: dict[str, Any]) -> dict[str, Any] | str:
        if method == "upload":
            self._files.setdefault(p["file_id"], {})["content"] = p["content"]
            return f"OK - {len(p['content'])}"
        if method == "response_url":
            return "ok"
        handler = self._methods.get(method)
        return _copied(handler(p)) if handler else {"ok": True}

    # ---- Web API methods (called with the lock held)

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://crbot-test.slack.com/",
            "team": "CR Bot Test",
            "user": "cr-bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            return {"ok": False, "error": "no_text"}
        channel = self._resolve_channel(str(p.get("channel") or ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = self._message(self._next_ts(), p)
        self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._resolve_channel(str(p.get("channel") or "")), str(p.get("ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "invalid_arguments"}
        message = self._find_message(channel, ts)
        if message is None:  # lenient: adopt messages the fake never saw posted
            message = self._message(ts, {})
            self._messages.setdefault(channel, []).append(message)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in p:
                message[key] = p[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": message,
        }

    def _chat_post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._resolve_channel(str(p.get("channel") or "")), str(p.get("ts") or "")
        kept = [m for m in self._messages.get(channel, []) if m["ts"] != ts]
        self._messages[channel] = kept
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_get_permalink(self, p: dict[str, Any]) -> dict[str, Any]:
        # As Slack: the archive URL with the ts's dot dropped; unknown messages are refused.
        channel, ts = str(p.get("channel") or ""), str(p.get("message_ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "invalid_arguments"}
        if channel not in self._messages:
            return {"ok": False, "error": "channel_not_found"}
        if self._find_message(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://crbot-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id") and not p.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(p.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = self._new_id("V")
        self._views[view_id] = self._view(view_id, p["view"], root_view_id=view_id)
        return {"ok": True, "view": self._views[view_id]}

    def _views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(p.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = p.get("view_id")
        if not view_id and p.get("external_id"):
            matches = [v for v in self._views.values() if v["external_id"] == p["external_id"]]
            if not matches:
                return {"ok": False, "error": "not_found"}
            view_id = matches[0]["id"]
        if not view_id:
            return {"ok": False, "error": "invalid_arguments"}
        old = self._views.get(view_id)
        if old is not None and p.get("hash") and p["hash"] != old["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        root = old["root_view_id"] if old else view_id
        self._views[view_id] = self._view(view_id, p["view"], root_view_id=root)
        return {"ok": True, "view": self._views[view_id]}

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = p.get("user_id")
        if not user_id or not isinstance(p.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = self._home_views.get(user_id) or self._new_id("V")
        old = self._views.get(view_id)
        if old is not None and p.get("hash") and p["hash"] != old["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        self._home_views[user_id] = view_id
        self._views[view_id] = self._view(view_id, p["view"], root_view_id=view_id)
        return {"ok": True, "view": self._views[view_id]}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": p["channel"]}}
        users = p.get("users") or ""
        members = users if isinstance(users, list) else [u.strip() for u in users.split(",")]
        members = [u for u in members if u]
        if not members:
            return {"ok": False, "error": "users_list_not_supplied"}
        key = frozenset(members)
        existed = key in self._conversations
        channel_id = self._conversation_id(members)
        answer: dict[str, Any] = {"ok": True, "channel": {"id": channel_id}}
        if existed:
            answer.update(no_op=True, already_open=True)
        return answer

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        # As Slack: newest first, between `oldest` and `latest` (exclusive unless
        # `inclusive`), `limit` at a time (default 100, at most 999); `has_more` and an
        # opaque `next_cursor` (base64 of "next_ts:<ts>") lead to the next, older page.
        channel = str(p.get("channel") or "")
        limit = min(int(p.get("limit") or 100), 999)
        inclusive = str(p.get("inclusive", "")).lower() in ("1", "true")
        oldest, latest = _ts_key(str(p.get("oldest") or "0")), p.get("latest")
        top_level = [m for m in self._history(channel) if m.get("thread_ts") in (None, m["ts"])]
        cursor = str(p.get("cursor") or "")
        if cursor:
            below = base64.b64decode(cursor).decode().removeprefix("next_ts:")
            top_level = [m for m in top_level if _ts_key(m["ts"]) <= _ts_key(below)]
        elif latest:
            top = _ts_key(str(latest))
            top_level = [
                m
                for m in top_level
                if (_ts_key(m["ts"]) <= top if inclusive else _ts_key(m["ts"]) < top)
            ]
        top_level = [
            m
            for m in top_level
            if (_ts_key(m["ts"]) >= oldest if inclusive else _ts_key(m["ts"]) > oldest)
        ]
        page, rest = top_level[:limit], top_level[limit:]
        next_cursor = base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode() if rest else ""
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(rest),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p.get("channel") or ""), str(p.get("ts") or "")
        thread = [m for m in self._history(channel) if ts in (m["ts"], m.get("thread_ts"))]
        return {"ok": True, "messages": thread[::-1], "has_more": False}

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p.get("user") or "")
        if user_id not in self._users and user_id != self.bot_user_id:
            return {"ok": False, "error": "user_not_found"}
        include_locale = str(p.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": self._user(user_id, include_locale=include_locale)}

    def _users_lookup_by_email(self, p: dict[str, Any]) -> dict[str, Any]:
        email = str(p.get("email") or "").lower()
        for user_id, record in self._users.items():
            if record["email"] and record["email"].lower() == email:
                return {"ok": True, "user": self._user(user_id, include_locale=False)}
        return {"ok": False, "error": "users_not_found"}

    def _files_get_upload_url(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not p.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._new_id("F")
        self._files[file_id] = {
            "filename": p["filename"],
            "length": int(p["length"]),
            "created": int(self._next_ts().split(".")[0]),
            "shares": {},  # channel -> the ts of each message that shared it there
        }
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        done = []
        for item in files:
            known = self._files.get(item.get("id", ""))
            if known is None or "filename" not in known:
                return {"ok": False, "error": "file_not_found"}
            done.append(
                {
                    "id": item["id"],
                    "title": item.get("title") or known.get("filename"),
                    "name": known.get("filename"),
                }
            )
        channel = self._resolve_channel(str(p.get("channel_id") or ""))
        if channel:
            # Shared into a conversation: a message carrying the files, as on real Slack.
            # Completing a file again shares it again (a second message): what a sender
            # must never do, and what tests count.
            message = self._message(self._next_ts(), {"text": p.get("initial_comment", "")})
            message.update(files=_copied(done), upload=True)
            self._messages.setdefault(channel, []).append(message)
            for item in done:
                self._files[item["id"]]["shares"].setdefault(channel, []).append(message["ts"])
        for item in done:
            self._files[item["id"]]["title"] = item["title"]
        # As on real Slack, the answer's files do not say where they are shared (sharing
        # is asynchronous there): files.info does.
        return {"ok": True, "files": done}

    def _files_info(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p.get("file") or "")
        known = self._files.get(file_id)
        if known is None or "filename" not in known:
            return {"ok": False, "error": "file_not_found"}
        shares: dict[str, Any] = {}
        for channel, stamps in known["shares"].items():
            kind = "public" if channel.startswith("C") else "private"
            shares.setdefault(kind, {})[channel] = [
                {
                    "reply_users": [],
                    "reply_users_count": 0,
                    "reply_count": 0,
                    "ts": ts,
                    "channel_name": channel.lower(),
                    "team_id": self.team_id,
                    "share_user_id": self.bot_user_id,
                    "source": "UNKNOWN",
                }
                for ts in stamps
            ]
        content = known.get("content", b"")
        file = {
            "id": file_id,
            "created": known["created"],
            "timestamp": known["created"],
            "name": known["filename"],
            "title": known.get("title") or known["filename"],
            "mimetype": "application/octet-stream",
            "filetype": known["filename"].rsplit(".", 1)[-1],
            "pretty_type": known["filename"].rsplit(".", 1)[-1].upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(content),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": "public" in shares,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{file_id}/x",
            "permalink": f"https://crbot-test.slack.com/files/{self.bot_user_id}/{file_id}/x",
            "comments_count": 0,
            "channels": sorted(c for c in known["shares"] if c.startswith("C")),
            "groups": sorted(c for c in known["shares"] if c.startswith("G")),
            "ims": sorted(c for c in known["shares"] if c.startswith("D")),
            "shares": shares,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        return {"ok": True, "file": file, "comments": [], "response_metadata": {"next_cursor": ""}}

    def _apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode_url}

    # ---- state helpers (lock held)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _next_ts(self) -> str:
        now = int(self.clock().timestamp() * 1_000_000) if self.clock else 0
        micros = self._last_ts = max(now, self._last_ts + 100)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _conversation_id(self, members: list[str]) -> str:
        key = frozenset(members)
        if key not in self._conversations:
            self._conversations[key] = self._new_id("D" if len(key) == 1 else "G")
        return self._conversations[key]

    def _resolve_channel(self, channel: str) -> str:
        # Posting to a user id lands in the DM with that user, as on real Slack.
        if channel[:1] in ("U", "W"):
            return self._conversation_id([channel])
        return channel

    def _message(self, ts: str, p: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": p.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "ts": ts,
            "team": self.team_id,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if p.get(key) is not None:
                message[key] = p[key]
        return message

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _history(self, channel: str) -> list[dict[str, Any]]:
        messages = self._messages.get(channel, [])
        return sorted(messages, key=lambda m: tuple(map(int, m["ts"].split("."))), reverse=True)

    def _view(self, view_id: str, spec: dict[str, Any], *, root_view_id: str) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec.get("type", "modal"),
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{1_700_000_000 + next(self._ids)}.{next(self._ids):08x}",
            "title": spec.get("title"),
            "clear_on_close": spec.get("clear_on_close", False),
            "notify_on_close": spec.get("notify_on_close", False),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": None,
            "root_view_id": root_view_id,
            "app_id": APP_ID,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _user(self, user_id: str, *, include_locale: bool) -> dict[str, Any]:
        if user_id == self.bot_user_id and user_id not in self._users:
            record = {"email": None, "locale": "en-US", "tz": "America/Los_Angeles"}
            record.update(real_name="cr-bot", deleted=False)
        else:
            record = self._users[user_id]
        name = (record["email"] or user_id.lower()).split("@")[0]
        offset = ZoneInfo(record["tz"]).utcoffset(datetime.now())
        profile: dict[str, Any] = {
            "real_name": record["real_name"],
            "real_name_normalized": record["real_name"],
            "display_name": name,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        if record["email"]:
            profile["email"] = record["email"]
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": record["deleted"],
            "real_name": record["real_name"],
            "tz": record["tz"],
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": user_id == self.bot_user_id or bool(record.get("is_bot")),
            "is_app_user": False,
            "profile": profile,
        }
        if include_locale:
            user["locale"] = record["locale"]
        return user


def _ts_key(ts: str) -> tuple[int, int]:
    """A message ts ("1700000000.000100") as a number that sorts as Slack's do."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int((fraction or "0").ljust(6, "0")[:6])


def _status_error(status: int) -> str:
    if status == 429:
        return "ratelimited"
    return "fatal_error" if status >= 500 else "request_failed"


def _decode_json_params(raw: dict[str, Any]) -> dict[str, Any]:
    params = dict(raw)
    for key in JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _method_of(path: str) -> str | None:
    """The method a request path calls: a Web API method, a file's upload or a response_url."""
    if path.startswith("/api/"):
        return path[len("/api/") :]
    if path.startswith("/upload/"):
        return "upload"
    if path.startswith("/response/"):
        return "response_url"
    return None


def _parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        parsed = json.loads(body)
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = payload if part.get_filename() else payload.decode()
        return fields
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def _copied(value: Any) -> Any:
    """A deep copy of what the fake keeps and answers (JSON-like: dicts, lists, tuples of
    plain values), as copy.deepcopy makes it but several times faster (no memo: nothing the
    fake keeps is a part shared between two places that must stay one); anything else is
    left to copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind in _PLAIN:
        return value
    if kind is tuple:
        return tuple(_copied(item) for item in value)
    return copy.deepcopy(value)


_PLAIN = frozenset({str, int, float, bool, type(None), bytes})


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def setup(self) -> None:
        fake: FakeSlack = self.server.fake  # type: ignore[attr-defined]
        if fake.keep_alive:
            self.protocol_version = "HTTP/1.1"  # keeps the connection open between calls
            self.timeout = fake.idle_timeout  # idle that long: closed (None: never)
            # Headers and body go out in two writes: without this the body waits for the
            # client's delayed ACK of the headers (40 ms) on a kept-open connection.
            self.disable_nagle_algorithm = True
        super().setup()

    def do_POST(self) -> None:
        fake: FakeSlack = self.server.fake  # type: ignore[attr-defined]
        at = time.monotonic()
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        path = parts.path
        method = _method_of(path)
        if method is None:
            self._write(404, {}, {"ok": False, "error": "unknown_path"})
            return
        if path.startswith("/api/"):
            raw = dict(parse_qsl(parts.query, keep_blank_values=True))
            raw.update(_parse_body(body, content_type))
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else raw.get("token")
            params = _decode_json_params(raw)
        elif path.startswith("/upload/"):
            token = None
            raw = {"file_id": unquote(path[len("/upload/") :]), "content": body}
            params = dict(raw)
        else:
            token = None
            raw = json.loads(body) if body else {}
            params = {**raw, "_name": unquote(path[len("/response/") :])}
        call = Call(method, params, raw, token, at, content_type=content_type)
        (status, headers, answer), delay = fake._answer(method, params, call)
        late = self.headers.get(LATE_HEADER)
        if late:
            with fake._cond:
                fake._late_done.add(late)
                fake._cond.notify_all()
            # Until the client gives up: it closes the connection (readable, at its end).
            gone, _, _ = select.select([self.connection], [], [], HOLD_AT_MOST)
            if gone:
                self.close_connection = True
                return
        if delay:
            time.sleep(delay)
        if call.cut:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(status, headers, answer)

    do_GET = do_POST

    def _write(self, status: int, headers: dict[str, str], answer: dict[str, Any] | str) -> None:
        if isinstance(answer, str):
            data, content_type = answer.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(answer).encode(), "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a provoked timeout)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serving(base: type[ThreadingHTTPServer]) -> type[ThreadingHTTPServer]:
    """`base` that counts and tracks its connections and speaks TLS when the fake does."""

    class Serving(base):  # type: ignore[valid-type,misc]
        fake: FakeSlack

        def get_request(self) -> tuple[socket.socket, Any]:
            sock, address = super().get_request()
            with self.fake._cond:
                self.fake.connections += 1
            return sock, address

        def finish_request(self, request: Any, client_address: Any) -> None:
            fake = self.fake
            if fake.tls:  # the handshake in the connection's own thread
                try:
                    request = _server_context().wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client did not trust us, or went away
            with fake._cond:
                fake._open.add(request)
            try:
                super().finish_request(request, client_address)
            finally:
                with fake._cond:
                    fake._open.discard(request)
                self.shutdown_request(request)

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that went away mid-request is no news

        def server_activate(self) -> None:
            super().server_activate()
            self._stop, self._stopped = threading.Event(), threading.Event()
            self._stopped.set()
            self._wake_r, self._wake_w = socket.socketpair()

        def serve_forever(self, poll_interval: float | None = None) -> None:
            """socketserver's loop, woken by `shutdown()` through a socket pair of its own
            instead of noticing it at its next poll: it waits for a connection without a
            timeout (no wake-ups while a test runs, no connection made to stop it)."""
            self._stopped.clear()
            try:
                if self._stop.is_set():  # stopped before it started
                    return
                with selectors.DefaultSelector() as selector:
                    selector.register(self, selectors.EVENT_READ)
                    selector.register(self._wake_r, selectors.EVENT_READ)
                    while not self._stop.is_set():
                        ready = selector.select(poll_interval)
                        if self._stop.is_set():
                            break
                        if any(key.fileobj is self for key, _ in ready):
                            self._handle_request_noblock()
                        self.service_actions()
            finally:
                self._stopped.set()

        def shutdown(self) -> None:
            """Stop the loop, woken at once, and wait for it to end."""
            self._stop.set()
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")
            self._stopped.wait()

        def server_close(self) -> None:
            super().server_close()
            self._wake_r.close()
            self._wake_w.close()

    return Serving


@functools.cache
def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate())
    return context


@functools.cache
def self_signed_certificate() -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), made once per process with
    the openssl command line tool."""
    folder = Path(tempfile.mkdtemp(prefix="fakeslack-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class FakeSocketModeServer:
    """Socket Mode stand-in: a WebSocket server speaking Slack's envelope protocol."""

    def __init__(self, *, app_id: str = APP_ID, ping_interval: float | None = 20) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self.acks: list[dict[str, Any]] = []
        self.url = ""
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()  # keeps hello, queued and new envelopes in order
        self._pending: list[dict[str, Any]] = []
        self._connections: list[ServerConnection] = []
        self.connections_total = 0
        self._server: Server | None = None

    def start(self) -> FakeSocketModeServer:
        """Start serving in a daemon thread."""
        self._server = serve(
            self._handle, "127.0.0.1", 0, ping_interval=self.ping_interval, close_timeout=1
        )
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"
        threading.Thread(target=self._server.serve_forever, name="fakesocket", daemon=True).start()
        return self

    def stop(self) -> None:
        """Close connections and stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> FakeSocketModeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connected(self) -> int:
        """Number of open client connections."""
        with self._cond:
            return len(self._connections)

    def send(self, envelope: dict[str, Any]) -> str | None:
        """Send an envelope to connected clients, or queue it for the next connection."""
        with self._send_lock:
            with self._cond:
                connections = list(self._connections)
                if not connections:
                    self._pending.append(envelope)
            for ws in connections:
                self._send(ws, envelope)
        return envelope.get("envelope_id")

    def request_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask clients to reconnect, as Slack does periodically."""
        self.send({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})

    def drop_connections(self) -> None:
        """Close every open connection from the server side."""
        with self._cond:
            connections = list(self._connections)
        for ws in connections:
            ws.close()

    def wait_connected(self, timeout: float = 5.0, count: int = 1) -> None:
        """Block until at least count clients are connected."""
        self._wait(lambda: len(self._connections) >= count, timeout, f"{count} connection(s)")

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Block until the client acked envelope_id; return the ack message."""

        def found() -> dict[str, Any] | None:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

        self._wait(lambda: found() is not None, timeout, f"an ack for {envelope_id}")
        with self._cond:
            return found()  # type: ignore[return-value]

    def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(ready, timeout):
                raise AssertionError(
                    f"no {what} within {timeout}s; connections: {len(self._connections)}, "
                    f"acks: {self.acks}"
                )

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._connections) + 1,
            "debug_info": {
                "host": "applink-fake",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    @staticmethod
    def _send(ws: ServerConnection, envelope: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):
            ws.send(json.dumps(envelope))

    def _handle(self, ws: ServerConnection) -> None:
        with self._send_lock:
            with self._cond:
                hello = self._hello()
            self._send(ws, hello)
            with self._cond:
                self._connections.append(ws)
                self.connections_total += 1
                pending, self._pending = self._pending, []
                self._cond.notify_all()
            for envelope in pending:
                self._send(ws, envelope)
        try:
            for message in ws:
                try:
                    data = json.loads(message)
                except ValueError:
                    data = {"_raw": message}
                with self._cond:
                    self.acks.append(data)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._connections.remove(ws)
                self._cond.notify_all()


def close_socket_mode_client(client: Any, server: FakeSocketModeServer) -> None:
    """Close a slack_sdk SocketModeClient quickly.

    The builtin client's close() waits for a blocking 3 s socket read and a 1 s queue
    poll; dropping the connection from the server side and waking the queue avoids both.
    """
    client.auto_reconnect_enabled = False
    server.drop_connections()
    client.closed = True
    client.message_queue.put(None)
    client.close()
