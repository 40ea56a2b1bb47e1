"""What runs around every listener: the services in its context, an ack that stays acked
and answers at once, and delivery of the outbox once the listener (and the error handler)
have finished."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.listener import Listener
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.logger.messages import warning_did_not_call_ack
from slack_bolt.middleware import Middleware

from bot.slack.services import Services

SERVICES = "services"  # context key; listeners take it as their `services` argument
FAILED = "listener_failed"  # context key the error handler sets: nothing to deliver


class KeptAck(Ack):
    """Once acked, stays acked. Bolt's threaded runner sets `ack.response` back to None when
    a listener fails after its ack; the HTTP thread, still waiting for the ack, would then
    answer Slack with a 404 after 3 s instead of the ack it already has.

    `acked` is set with the first response: what the HTTP thread waits on (`PromptRunner`)."""

    acked: threading.Event

    def __init__(self) -> None:
        object.__setattr__(self, "acked", threading.Event())
        super().__init__()

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)
        if name == "response" and value is not None:
            self.acked.set()


class PromptRunner(ThreadListenerRunner):
    """Bolt's threaded listener runner, but the HTTP thread is woken by the ack instead of
    looking for it every 10 ms (Bolt's poll, about 5 ms on every answer): Slack gets the ack
    as soon as the listener gives it. The listener runs as in Bolt (in the listener
    executor, the error and completion handlers after it); with `process_before_response`
    (tests), lazy listeners, or an ack not ours, Bolt's own `run` runs."""

    def run(
        self,
        request: BoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: Listener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        ack = request.context.ack
        if (
            self.process_before_response
            or request.lazy_only
            or listener.lazy_functions
            or not isinstance(ack, KeptAck)
        ):
            return super().run(request, response, listener_name, listener, starting_time)
        started = starting_time if starting_time is not None else time.time()
        if listener.auto_acknowledgement:
            ack()  # events: acknowledged at once
        self.listener_executor.submit(self._listen, request, response, listener)
        ack.acked.wait(max(0.0, listener.ack_timeout - (time.time() - started)))
        if ack.response is None:
            self.logger.warning(warning_did_not_call_ack(listener_name))
        return ack.response

    def _listen(self, request: BoltRequest, response: BoltResponse, listener: Listener) -> None:
        """The listener in its thread, its failures and completion as Bolt handles them."""
        ack = request.context.ack
        answer: BoltResponse | None = response
        try:
            self.listener_start_handler.handle(request=request, response=answer)
            listener.run_ack_function(request=request, response=response)
        except Exception as e:
            if listener.auto_acknowledgement:
                self.listener_error_handler.handle(error=e, request=request, response=answer)
            else:
                if answer is None:
                    answer = BoltResponse(status=500)
                answer.status = 500
                if ack.response is not None:  # already acknowledged
                    answer = None
                self.listener_error_handler.handle(error=e, request=request, response=answer)
                ack.response = answer
        finally:
            self.listener_completion_handler.handle(request=request, response=answer)


Step = Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse | None]


class Direct(Middleware):
    """A middleware function `step(req, resp, next)` called as it is. Bolt wraps a function
    in a `CustomMiddleware`, which builds every argument a listener could ask for (a `say`,
    a `respond`, …) and its own name for a debug line at each request: about 0.1 ms a
    middleware, at every request."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self._name = f"{step.__module__}.{step.__name__}"

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        return self.step(req, resp, next)

    @property
    def name(self) -> str:
        return self._name


class ListenerContext(Middleware):
    """First of our middleware: every request gets the services and a KeptAck."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context[SERVICES] = self.services
        req.context["ack"] = KeptAck()
        return next()


class DeliverAfterListener(ListenerCompletionHandler):
    """Send what the listener's use case left in the outbox.

    Bolt calls this in the listener's own thread after the listener and the error handler
    returned, with `process_before_response` (tests) before the HTTP response, without it
    (production) after the ack: either way after the commit, and once per request.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        if request.context.get(FAILED):
            return  # refused or failed: nothing was written, and the database may be down
        self.services.deliver()


def register(app: App, services: Services) -> None:
    app.middleware(ListenerContext(services))
    # Bolt has no decorator for it; the runner's completion handler is its "after" hook.
    app.listener_runner.listener_completion_handler = DeliverAfterListener(services)
    # Bolt builds its runner itself; this one differs only in how the ack is awaited.
    app.listener_runner.__class__ = PromptRunner
