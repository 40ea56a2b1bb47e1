"""What runs around every listener: the services in its context, an ack that stays acked,
and delivery of the outbox once the listener (and the error handler) have finished."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.middleware import Middleware

from bot.slack.services import Services

SERVICES = "services"  # context key; listeners take it as their `services` argument
FAILED = "listener_failed"  # context key the error handler sets: nothing to deliver


class KeptAck(Ack):
    """Once acked, stays acked. Bolt's threaded runner sets `ack.response` back to None when
    a listener fails after its ack; the HTTP thread, still waiting for the ack, would then
    answer Slack with a 404 after 3 s instead of the ack it already has."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)


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
