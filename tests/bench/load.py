"""Closed-loop load: N concurrent clients on keep-alive connections, signed requests.

Timestamps are time.monotonic(): CLOCK_MONOTONIC is one clock for the whole machine,
and the fake Slack (in this process) stamps its calls with it too.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tests.payloads import sign

PATH = "/slack/events"


@dataclass(frozen=True)
class Sample:
    """One request: what it was for, when it left, when its answer was read."""

    key: str
    sent: float
    done: float
    status: int
    body: bytes
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done - self.sent


@dataclass(frozen=True)
class Run:
    samples: list[Sample]
    seconds: float
    clients: int

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds > 0 else 0.0

    def failed(self) -> list[Sample]:
        return [s for s in self.samples if s.status != 200]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def drive(
    port: int,
    requests: Sequence[tuple[str, str]],
    *,
    clients: int,
    time_limit: float,
    rate: float | None = None,
) -> Run:
    """Send every (key, body) once, `clients` at a time; stop early at `time_limit` seconds.

    Without `rate` each client sends its next request as soon as it has the answer
    (closed loop); with it, request i leaves at i / rate seconds (open loop, paced).
    """
    cursor = itertools.count()
    samples: list[Sample] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + time_limit

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        mine: list[Sample] = []
        try:
            while time.monotonic() < deadline:
                i = next(cursor)  # atomic under the GIL
                if i >= len(requests):
                    break
                key, body = requests[i]
                if rate:
                    time.sleep(max(0.0, started + i / rate - time.monotonic()))
                mine.append(_send(conn, key, body))
        finally:
            conn.close()
            with lock:
                samples.extend(mine)

    threads = [threading.Thread(target=client, name=f"bench-client-{n}") for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Run(sorted(samples, key=lambda s: s.sent), time.monotonic() - started, clients)


def _send(conn: http.client.HTTPConnection, key: str, body: str) -> Sample:
    data = body.encode()
    for attempt in (1, 2):
        headers = sign(body)
        sent = time.monotonic()
        try:
            conn.request("POST", PATH, data, headers)
            response = conn.getresponse()
            answer = response.read()
            return Sample(key, sent, time.monotonic(), response.status, answer)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            # A keep-alive connection the server closed meanwhile: reconnect, send once more.
            conn.close()
            if attempt == 2:
                return Sample(key, sent, time.monotonic(), -1, b"", f"{type(exc).__name__}")
        except OSError as exc:
            conn.close()
            return Sample(key, sent, time.monotonic(), -1, b"", f"{type(exc).__name__}: {exc}")
    raise AssertionError("unreachable")
