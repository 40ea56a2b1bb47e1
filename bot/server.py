"""Putting the bot together and running it: Socket Mode, HTTP, or a WSGI app for gunicorn."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk import WebClient

from bot.app import Services, create_app
from bot.db import SessionFactory, make_engine, upgrade
from bot.directory_file import DirectoryFileError, load_directory_file
from bot.settings import Settings, SettingsError
from bot.slack.views import is_slack_id
from bot.usecases.directory import sync_directory
from models.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """A running bot: the Bolt app, its services, and the background workers."""

    app: App
    services: Services
    _stoppers: list[Callable[[], None]] = field(default_factory=list)

    def start_background(self, *, outbox_interval: float = 5.0) -> None:
        """The outbox sender and the job scheduler, in daemon threads."""
        from bot.scheduler import start_scheduler

        outbox = self.services.outbox
        if outbox is not None:
            outbox.start(outbox_interval)
            self._stoppers.append(outbox.stop)
        scheduler = start_scheduler(self.services)
        self._stoppers.append(lambda: scheduler.shutdown(wait=False))

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            stop()
        self._stoppers.clear()
        self.services.session_factory.engine.dispose()


def build(
    settings: Settings,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    process_before_response: bool = False,
    sync_directory_file: bool = True,
) -> Runtime:
    """Upgrade the database, sync the directory file, and create the app (calls auth.test)."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except Exception as exc:
        engine.dispose()
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise SettingsError(
            f"DATABASE_URL: cannot reach or upgrade the database ({type(exc).__name__}: {first}). "
            "Check the URL and that the server runs."
        ) from None
    session_factory = SessionFactory(engine)
    if sync_directory_file:
        if settings.directory_path.exists():
            try:
                directory = load_directory_file(settings.directory_path)
            except DirectoryFileError as exc:
                raise SettingsError(
                    f"CR_DIRECTORY={settings.directory_path} has problems "
                    f"(see `cr-bot directory check {settings.directory_path}`): "
                    + "; ".join(str(p) for p in exc.problems[:3])
                ) from None
            report = sync_directory(session_factory, directory, now=clock())
            log.info("directory %s synced: %s", settings.directory_path, report)
        else:
            log.warning(
                "directory file %s not found (CR_DIRECTORY); using the directory in the database",
                settings.directory_path,
            )
    app, services = create_app(
        settings,
        session_factory=session_factory,
        client=client,
        clock=clock,
        process_before_response=process_before_response,
    )
    services.refresh_directory()
    services.load_languages()
    return Runtime(app=app, services=services)


def wsgi_app(runtime: Runtime) -> Callable[..., Iterable[bytes]]:
    """POST /slack/events for Slack, GET /healthz for load balancers (503 without database)."""
    slack = _SlackHandler(runtime.app, path="/slack/events")

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


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI handler, but a body that is not a Slack payload gets 400, not 500."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        if not _readable_timestamp(request.get_headers().get("x-slack-request-timestamp")):
            # Bolt's verifier would raise on it, and the error handler would then answer
            # (even post to the response_url of) a request nobody signed.
            return BoltResponse(status=401, body='{"error": "invalid request"}')
        try:
            bolt_request = BoltRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except Exception:  # not JSON or form data, or a payload Bolt cannot read (null, [])
            return BoltResponse(status=400, body="malformed request")
        if not well_formed(bolt_request.body):
            return BoltResponse(status=400, body="malformed request")
        return self.app.dispatch(bolt_request)


def _readable_timestamp(value: object) -> bool:
    """Missing (Bolt refuses it), or what the signature verifier can read as an int."""
    if value is None:
        return True
    try:
        int(str(value))
    except ValueError:
        return False
    return True


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
    (Bolt itself fails with a 500 on, say, a view that is a string)."""
    if not isinstance(body, dict):
        return False
    if "command" in body:
        return is_slack_id(body.get("user_id")) and isinstance(body.get("trigger_id"), str)
    actions, team = body.get("actions"), body.get("team")
    shaped = (
        ("view" not in body or _well_formed_view(body["view"]))
        and (
            actions is None
            or (isinstance(actions, list) and all(isinstance(a, dict) for a in actions))
        )
        and (team is None or (isinstance(team, dict) and _optional_id(team.get("id"))))
        and _optional(body.get("event"), dict)
        and _optional(body.get("container"), dict)
        and _optional(body.get("trigger_id"), str)
        and _optional(body.get("response_url"), str)
    )
    if body.get("type") in _INTERACTIONS:
        user = body.get("user")
        shaped = shaped and isinstance(user, dict) and is_slack_id(user.get("id"))
    if body.get("type") in ("block_actions", "shortcut", "message_action"):
        shaped = shaped and isinstance(body.get("trigger_id"), str)  # modals open with it
    return shaped


def _optional_id(value: object) -> bool:
    return value is None or is_slack_id(value)


def _well_formed_view(view: object) -> bool:
    return (
        isinstance(view, dict)
        and _optional_id(view.get("id"))
        and isinstance(view.get("state", {}), dict)
        and _optional(view.get("private_metadata"), str)
        and _optional(view.get("blocks"), list)
    )


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def make_http_server(runtime: Runtime, host: str, port: int) -> WSGIServer:
    """A threaded HTTP server on the same WSGI app gunicorn runs (port 0 picks a free one)."""
    return make_server(
        host,
        port,
        wsgi_app(runtime),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )


def run(settings: Settings) -> None:
    """`cr-bot run`: Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT; stops on SIGTERM."""
    runtime = build(settings)
    runtime.start_background()
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(runtime.app, app_token=settings.app_token)
            handler.connect()
            log.info("cr-bot running in Socket Mode")
            stop.wait()
            handler.close()
        else:
            server = make_http_server(runtime, "0.0.0.0", settings.port)
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            log.info("cr-bot listening on http://0.0.0.0:%s/slack/events", settings.port)
            stop.wait()
            server.shutdown()
            server.server_close()
    finally:
        runtime.stop()
        log.info("cr-bot stopped")
