"""The fake Slack Web API, with a listen backlog fit for 20 concurrent clients.

`FakeSlack` serves with socketserver's default backlog of 5 connections. Under load the
bot's workers open more connections at once than that; the kernel then drops the SYN
and the client retries after one second, a delay of the test rig, not of the bot.
"""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer

from tests.fakeslack import FakeSlack, _Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


class BenchSlack(FakeSlack):
    def start(self) -> BenchSlack:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = f"{self.base}/api/"
        serve = functools.partial(self._server.serve_forever, poll_interval=0.01)
        threading.Thread(target=serve, name="fakeslack", daemon=True).start()
        return self
