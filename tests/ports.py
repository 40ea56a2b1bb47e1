"""A free port for a process a test starts (`cr-bot run`, gunicorn), which binds it later."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_pick = random.Random()  # not the global one, which a test (or Hypothesis) may seed


def _ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands out for binds to port 0 and outgoing connections."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port() -> int:
    """A port nothing listens on now, from below the kernel's ephemeral range.

    A port the kernel picks for a bind to port 0 is free again once that socket closes,
    and the kernel may give it to another socket (another worker's fake Slack or server,
    any outgoing connection) before the started process binds it: "PORT is in use". Below
    that range only another free_port() can pick the same port."""
    low = _ephemeral_range()[0]
    for _ in range(100):
        port = _pick.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port below {low}")
