"""The HTTP entry: Slack's events at POST /slack/events (nothing read past its size or trusted
before its signature), GET /healthz, and the waitress server `cr-bot run` uses; gunicorn
serves the same WSGI app (`bot.entry.wsgi`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier

from bot.entry.runtime import Runtime
from bot.slack.views import is_slack_id


def wsgi_app(runtime: Runtime) -> Callable[..., Iterable[bytes]]:
    """POST /slack/events for Slack, GET /healthz for load balancers (503 without database)."""
    slack = _SlackHandler(
        runtime.app, path="/slack/events", signing_secret=runtime.services.settings.signing_secret
    )

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            healthy = runtime.services.session_factory.ping()
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)

    return application


# Slack's payloads are a few KB; a modal's text inputs (3,000 characters each, JSON- and
# URL-escaped up to 16 bytes a character) stay below this, and a flood of bytes is not read.
MAX_BODY = 1024 * 1024


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI handler, but nothing of a request is read past its size or trusted before
    its signature: unsigned → 401, too big → 413, signed but not a Slack payload → 400."""

    def __init__(self, app: App, *, path: str, signing_secret: str | None) -> None:
        super().__init__(app, path=path)
        # No secret (Socket Mode): no HTTP request can be genuine.
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self.path:
            return super().__call__(environ, start_response)
        response = self.guarded(WsgiHttpRequest(environ))
        wsgi_response = WsgiHttpResponse(
            status=response.status, headers=response.headers, body=response.body
        )
        start_response(wsgi_response.status, wsgi_response.get_headers())
        return wsgi_response.get_body()

    def guarded(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _read_body(request.environ)
        if raw is None:
            return BoltResponse(status=413, body="request too large")
        headers = request.get_headers()
        if not self._signed(raw, headers):
            # Bolt would verify too, but only after parsing what anyone may have sent.
            return BoltResponse(status=401, body='{"error": "invalid request"}')
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"), query=request.query_string, headers=headers
            )
        except Exception:  # not JSON or form data, or a payload Bolt cannot read (null, [])
            return BoltResponse(status=400, body="malformed request")
        if not well_formed(bolt_request.body):
            return BoltResponse(status=400, body="malformed request")
        return self.app.dispatch(bolt_request)

    def _signed(self, raw: bytes, headers: dict[str, Any]) -> bool:
        if self.verifier is None:
            return False
        timestamp, signature = (
            headers.get("x-slack-request-timestamp"),
            headers.get("x-slack-signature"),
        )
        if not isinstance(timestamp, str) or not isinstance(signature, str):
            return False
        try:
            return self.verifier.is_valid(body=raw, timestamp=timestamp, signature=signature)
        except ValueError:  # a timestamp that is not an int, a body that is not UTF-8
            return False


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY (decided from Content-Length when
    there is one, and never reading more than MAX_BODY + 1 bytes when it is missing)."""
    stream = environ.get("wsgi.input")
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        try:
            length = int(declared)
        except ValueError:
            return None
        if length > MAX_BODY:
            return None
        if stream is None or length <= 0:
            return b""
        return stream.read(length)
    if stream is None:
        return b""
    # No length (chunked): the server's input ends at the body's end.
    raw = stream.read(MAX_BODY + 1)
    return None if len(raw) > MAX_BODY else raw


_INTERACTIONS = (
    "block_actions",
    "block_suggestion",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
)


def _optional(value: object, kind: type | tuple[type, ...]) -> bool:
    return value is None or isinstance(value, kind)


def well_formed(body: object) -> bool:
    """The fields Bolt and the listeners read have the types Slack always sends
    (Bolt itself fails with a 500 on, say, a view that is a string or no actions)."""
    if not isinstance(body, dict):
        return False
    if "command" in body:
        return is_slack_id(body.get("user_id")) and isinstance(body.get("trigger_id"), str)
    actions, team, kind = body.get("actions"), body.get("team"), body.get("type")
    shaped = (
        ("view" not in body or _well_formed_view(body["view"]))
        and (
            actions is None
            or (isinstance(actions, list) and all(_well_formed_action(a) for a in actions))
        )
        and (team is None or (isinstance(team, dict) and _optional_id(team.get("id"))))
        and _optional(body.get("event"), dict)
        and _optional(body.get("container"), dict)
        and _optional(body.get("trigger_id"), str)
        and _optional(body.get("response_url"), str)
        and _optional(kind, str)
    )
    if kind in _INTERACTIONS:
        user = body.get("user")
        shaped = shaped and isinstance(user, dict) and is_slack_id(user.get("id"))
    if kind in ("block_actions", "shortcut", "message_action"):
        shaped = shaped and isinstance(body.get("trigger_id"), str)  # modals open with it
    # What Bolt's matchers read without looking first.
    if kind == "block_actions":
        shaped = shaped and isinstance(actions, list) and len(actions) > 0
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        shaped = shaped and isinstance(view, dict) and isinstance(view.get("callback_id"), str)
    elif kind in ("shortcut", "message_action"):
        shaped = shaped and isinstance(body.get("callback_id"), str)
    elif kind == "block_suggestion":
        shaped = shaped and isinstance(body.get("action_id"), str)
    elif kind == "event_callback":
        event = body.get("event")
        shaped = shaped and isinstance(event, dict) and isinstance(event.get("type"), str)
    return bool(shaped)


def _well_formed_action(action: object) -> bool:
    return (
        isinstance(action, dict)
        and isinstance(action.get("action_id"), str)
        and _optional(action.get("block_id"), str)
    )


def _optional_id(value: object) -> bool:
    return value is None or is_slack_id(value)


def _well_formed_view(view: object) -> bool:
    return (
        isinstance(view, dict)
        and _optional_id(view.get("id"))
        and isinstance(view.get("state", {}), dict)
        and _optional(view.get("private_metadata"), str)
        and _optional(view.get("blocks"), list)
        and _optional(view.get("callback_id"), str)
    )


class HTTPServer:
    """waitress on the WSGI app gunicorn runs: connections wait in an event loop (a stalled
    client holds a socket, not a thread), a bounded pool runs requests, idle connections
    are closed after `timeout` seconds, and the listen backlog absorbs bursts."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        host: str,
        port: int,
        *,
        threads: int = 8,
        timeout: int = 30,
    ) -> None:
        from waitress.server import create_server

        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            backlog=1024,
            connection_limit=1000,
            channel_timeout=timeout,
            cleanup_interval=max(1, timeout // 2),
            max_request_body_size=MAX_BODY,
            asyncore_use_poll=True,  # select() stops at 1,024 descriptors
            ident="cr-bot",
        )
        self.server_port: int = int(self._server.effective_port)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()` (like socketserver's, so threads and tests use it alike)."""
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                self._server.asyncore.loop(
                    timeout=poll_interval, map=self._server._map, use_poll=True, count=1
                )
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop the loop, woken at once (not at its next poll), and wait for it to end."""
        self._stop.set()
        self._server.pull_trigger()
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        """Close the listening socket, open connections, and the request threads."""
        for channel in list(self._server._map.values()):
            if channel is not self._server:
                channel.close()
        self._server.close()
        self._server.task_dispatcher.shutdown(timeout=5)


def make_http_server(runtime: Runtime, host: str, port: int, *, timeout: int = 30) -> HTTPServer:
    """The HTTP server `cr-bot run` uses, on the same WSGI app gunicorn runs (port 0 picks a
    free one); `serve_forever()` in a thread, then `shutdown()` and `server_close()`."""
    return HTTPServer(wsgi_app(runtime), host, port, timeout=timeout)
