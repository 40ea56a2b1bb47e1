"""`cr-bot run`'s HTTP server under bursts and slow clients (all on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack

from bot.entry.http import make_http_server

HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def _get_healthz(port: int) -> tuple[float, bytes]:
    """(seconds to connect, the answer's status line)"""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        connected = time.monotonic() - started
        conn.sendall(HEALTHZ)
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(1024)
            if not chunk:
                break
            answer += chunk
    return connected, answer.split(b"\r\n", 1)[0]


def _port(bot) -> int:
    return int(bot.url.rsplit(":", 1)[1])


def test_bursts_of_30_connections_all_connect_at_once(bot):
    port = _port(bot)
    results: list[tuple[float, bytes]] = []
    lock = threading.Lock()

    def client(start: threading.Barrier) -> None:
        start.wait()
        result = _get_healthz(port)
        with lock:
            results.append(result)

    for _burst in range(10):
        start = threading.Barrier(30)
        clients = [threading.Thread(target=client, args=(start,)) for _ in range(30)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=30)

    assert len(results) == 300
    assert all(status.split(b" ")[1:2] == [b"200"] for _, status in results), results[:3]
    slow = sorted(t for t, _ in results if t >= 1.0)
    assert slow == [], f"{len(slow)} of 300 waited ≥ 1 s to connect"


def _stall(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    return conn


def test_stalled_clients_hold_no_threads_and_do_not_block_others(bot):
    port = _port(bot)
    threads_before = threading.active_count()
    with ExitStack() as stack:
        for _ in range(200):
            stack.enter_context(_stall(port))
        time.sleep(0.5)  # a server with a thread per connection has started them by now
        grown = threading.active_count() - threads_before
        started = time.monotonic()
        _, status = _get_healthz(port)
        took = time.monotonic() - started

    assert status.split(b" ")[1:2] == [b"200"]
    assert took < 1.0
    assert grown <= 16, f"{grown} more threads for 200 stalled clients"


def test_stalled_connections_are_closed_after_the_timeout(bot):
    server = make_http_server(bot.runtime, "127.0.0.1", 0, timeout=1)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        conn = _stall(server.server_port)
        conn.settimeout(6)
        started = time.monotonic()
        try:
            closed = conn.recv(1024) == b""
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            closed = False
        conn.close()
        assert closed and time.monotonic() - started < 5
        _, status = _get_healthz(server.server_port)  # the server itself goes on
        assert status.split(b" ")[1:2] == [b"200"]
    finally:
        server.shutdown()
        server.server_close()
