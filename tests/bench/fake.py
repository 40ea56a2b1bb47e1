"""The fake Slack Web API, with a listen backlog fit for 20 concurrent clients.

`FakeSlack` serves with socketserver's default backlog of 5 connections. Under load the
bot's workers open more connections at once than that; the kernel then drops the SYN
and the client retries after one second, a delay of the test rig, not of the bot.
"""

from __future__ import annotations

from http.server import ThreadingHTTPServer

from tests.fakeslack import FakeSlack


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


class BenchSlack(FakeSlack):
    """`FakeSlack` (with its `tls` and `keep_alive` options) with the larger backlog."""

    server_class = _Server
