"""Running the bot: `cr-bot run` in Socket Mode or over HTTP, until SIGTERM."""

from __future__ import annotations

import contextlib
import logging
import select
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.entry.runtime import Runtime, build
from bot.entry.startup import first_call_to_slack, port_failure, slack_failure
from bot.infra.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    """`cr-bot run`: Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT; stops on SIGTERM.

    Everything that can refuse (the bot token, the app token, the port) is tried before
    the background jobs start, so a failed start prints its one line and nothing else."""
    runtime = build(settings, require_directory=True)
    from bot.entry.http import make_http_server  # after the checks of the start (its imports)

    received: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        # Only noted (the main thread waits in _until_signalled). No logging: a signal that
        # lands while the main thread writes to stderr would make the handler's write re-enter
        # the stream ("reentrant call"). No lock either (an Event's set() waits for the lock
        # the interrupted main thread may hold).
        received.append(signum)

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
            _until_signalled(received)
            log.info("signal %s: stopping", received[0] if received else "?")
            close_within(handler.close, CLOSE_WITHIN, nudge=lambda: end_session(handler.client))
        else:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            thread.start()
            log.info("cr-bot listening on http://0.0.0.0:%s/slack/events", settings.port)
            _until_signalled(received)
            log.info("signal %s: stopping", received[0] if received else "?")
            server.shutdown()
            server.server_close()
    finally:
        runtime.stop()
    log.info("cr-bot stopped")


# How long a stop waits for the Socket Mode connection to close.
CLOSE_WITHIN = 10.0
# When a close has not finished by then, its session is marked ended again (`nudge`).
NUDGE_AFTER = 1.0


def close_within(
    close: Callable[[], None], seconds: float, *, nudge: Callable[[], None] | None = None
) -> bool:
    """`close()` in a thread of its own, waited for `seconds` at most; while it has not
    finished, `nudge()` every NUDGE_AFTER. slack_sdk's Socket Mode client can wait for ever
    in `close()`: its session thread, starting on a connection that close() had just ended,
    marks the session state live again and waits on it, while close() joins that thread
    (seen when SIGTERM came 25 ms after the connection); marking it ended again lets both
    finish. On a loaded machine the session thread can mark it live only after a first
    nudge (seen once at load average 16), hence again until the close ends. Its threads are
    daemons: if even that fails, the stop goes on and the process ends. True when it
    closed in time."""
    closer = threading.Thread(target=close, name="socket-mode-close", daemon=True)
    closer.start()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        closer.join(min(NUDGE_AFTER, left))
        if not closer.is_alive():
            break
        if nudge is not None:
            nudge()
    if closer.is_alive():
        log.warning("the Socket Mode connection did not close within %gs; stopping anyway", seconds)
        return False
    return True


def end_session(client: Any) -> None:
    """Mark the Socket Mode client's session ended (again): what its receiving loop waits for."""
    state = getattr(client, "current_session_state", None)
    if state is not None:
        state.terminated = True


def _until_signalled(received: list[int]) -> None:
    """Block the main thread until a signal handler has noted a signal in `received`.

    A threading.Event set by the handler did not always wake it: the kernel may hand the
    signal to another of the bot's threads, and a main thread blocked on a lock is then not
    interrupted: `cr-bot run` now and then ignored a SIGTERM until it was killed. The
    interpreter's own signal handler writes to the wakeup fd in whichever thread it runs;
    the main thread waits on that."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.setblocking(False)
    previous = signal.set_wakeup_fd(theirs.fileno(), warn_on_full_buffer=False)
    try:
        while not received:
            select.select([ours], [], [], 1.0)
            with contextlib.suppress(BlockingIOError):
                while ours.recv(64):
                    pass
    finally:
        signal.set_wakeup_fd(previous)
        ours.close()
        theirs.close()


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
