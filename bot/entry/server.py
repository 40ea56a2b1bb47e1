"""Putting the bot together and running it: Socket Mode, HTTP, or a WSGI app for gunicorn."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.domain.directory import Directory
from bot.entry.app import SLACK_API_URL, Services, create_app
from bot.entry.startup import (
    drop_bolt_token_warning,
    first_call_to_slack,
    open_database,
    port_failure,
    slack_failure,
)
from bot.infra.db import SessionFactory
from bot.infra.directory_file import EXAMPLE_FILE, DirectoryFileError, load_directory_file
from bot.infra.settings import Settings, SettingsError
from bot.infra.slack_http import PooledWebClient
from bot.slack.views import is_slack_id
from bot.usecases.directory import load_directory, sync_directory
from models.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """A running bot: the Bolt app, its services, and the background workers."""

    app: App
    services: Services
    _stoppers: list[Callable[[], None]] = field(default_factory=list)
    # Logged by `announce()` once the bot is up, so that a start that fails later (the app
    # token, the port) prints only its one line.
    _notes: list[tuple[int, str]] = field(default_factory=list)

    def start_background(self, *, outbox_interval: float = 5.0) -> None:
        """The outbox sender and the job scheduler, in daemon threads."""
        from bot.entry.scheduler import start_scheduler

        outbox = self.services.outbox
        if outbox is not None:
            outbox.start(outbox_interval)
            self._stoppers.append(outbox.stop)
        scheduler = start_scheduler(self.services)
        self._stoppers.append(lambda: scheduler.shutdown(wait=False))

    def announce(self) -> None:
        """Log what the start did (the directory sync)."""
        for level, message in self._notes:
            log.log(level, message)
        self._notes.clear()

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            stop()
        self._stoppers.clear()
        self.services.session_factory.engine.dispose()
        if isinstance(self.services.client, PooledWebClient):
            self.services.client.close()


def build(
    settings: Settings,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    process_before_response: bool = False,
    sync_directory_file: bool = True,
    require_directory: bool = False,
) -> Runtime:
    """Upgrade the database, check the directory file, create the app (calls auth.test),
    then sync the directory. Whatever an operator can get wrong is a one-line SettingsError.

    require_directory (the entry points): a missing directory file stops the start unless
    the database has a directory from an earlier sync; else it is only logged."""
    engine = open_database(settings.database_url)
    session_factory = SessionFactory(engine)
    notes: list[tuple[int, str]] = []
    try:
        directory = (
            _directory_file(settings, session_factory, notes, required=require_directory)
            if sync_directory_file
            else None
        )
        drop_bolt_token_warning()
        try:
            with first_call_to_slack():  # auth.test
                app, services = create_app(
                    settings,
                    session_factory=session_factory,
                    client=client,
                    clock=clock,
                    process_before_response=process_before_response,
                )
        except Exception as exc:
            api_url = client.base_url if client else settings.api_url or SLACK_API_URL
            failure = slack_failure(exc, api_url=api_url, token="SLACK_BOT_TOKEN")
            if failure is None:
                raise
            raise failure from None
        if directory is not None:
            report = sync_directory(session_factory, directory, now=clock())
            notes.append((logging.INFO, f"directory {settings.directory_path} synced: {report}"))
        services.refresh_directory()
        services.load_languages()
    except BaseException:
        engine.dispose()
        raise
    return Runtime(app=app, services=services, _notes=notes)


def _directory_file(
    settings: Settings,
    session_factory: SessionFactory,
    notes: list[tuple[int, str]],
    *,
    required: bool,
) -> Directory | None:
    """The checked directory file; None when it is missing (and allowed to be)."""
    path = settings.directory_path
    if not path.exists() and not path.is_symlink():
        if not required or load_directory(session_factory).cities:
            notes.append(
                (
                    logging.WARNING,
                    f"CR_DIRECTORY={path} not found: using the directory from the last sync "
                    "in the database",
                )
            )
            return None
        raise SettingsError(
            f"CR_DIRECTORY={path} not found: copy {EXAMPLE_FILE} to {path}, fill in your "
            f"cities and people, check it with `cr-bot directory check {path}`"
        )
    try:
        return load_directory_file(path)
    except DirectoryFileError as exc:
        if len(exc.problems) == 1 and exc.problems[0].entry == str(path):
            # The file itself (a folder, not UTF-8, not readable), not its entries.
            raise SettingsError(f"CR_DIRECTORY={path}: {exc.problems[0].message}") from None
        raise SettingsError(
            f"CR_DIRECTORY={path} has problems (see `cr-bot directory check {path}`): "
            + "; ".join(str(p) for p in exc.problems[:3])
        ) from None


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
        """Stop the loop and wait for it to end."""
        self._stop.set()
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


def run(settings: Settings) -> None:
    """`cr-bot run`: Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT; stops on SIGTERM.

    Everything that can refuse (the bot token, the app token, the port) is tried before
    the background jobs start, so a failed start prints its one line and nothing else."""
    runtime = build(settings, require_directory=True)
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        # No logging here: a signal that lands while the main thread writes to stderr would
        # make the handler's write re-enter the stream ("reentrant call"); log after the wait.
        received.append(signum)
        stop.set()

    try:
        if settings.socket_mode:
            handler = _socket_mode_handler(runtime, settings)
        else:
            try:
                server = make_http_server(runtime, "0.0.0.0", settings.port)
            except OSError as exc:
                raise port_failure(exc, settings.port) from None
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        runtime.start_background()
        runtime.announce()
        if settings.socket_mode:
            handler.connect()
            log.info("cr-bot running in Socket Mode")
            stop.wait()
            log.info("signal %s: stopping", received[0] if received else "?")
            handler.close()
        else:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            log.info("cr-bot listening on http://0.0.0.0:%s/slack/events", settings.port)
            stop.wait()
            log.info("signal %s: stopping", received[0] if received else "?")
            server.shutdown()
            server.server_close()
    finally:
        runtime.stop()
    log.info("cr-bot stopped")


def _socket_mode_handler(runtime: Runtime, settings: Settings) -> Any:
    """The Socket Mode handler, its first WebSocket URL already issued: the app token is
    checked here, with the error turned into one line (the SDK would log it, then raise)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(runtime.app, app_token=settings.app_token)
    client = handler.client
    try:
        with first_call_to_slack():
            opened = client.web_client.apps_connections_open(app_token=settings.app_token or "")
    except Exception as exc:
        failure = slack_failure(exc, api_url=client.web_client.base_url, token="SLACK_APP_TOKEN")
        if failure is None:
            raise
        raise failure from None
    # The builtin client connects to wss_uri when set, else asks for one (the same call).
    client.wss_uri = str(opened["url"])
    return handler
