"""The HTTP entry (the same WSGI app gunicorn serves): health check and unknown paths."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.infra.db import SessionFactory, make_engine

# Nothing listens on port 1: connecting is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def request(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, str, str]:
    """(status, body, content type)"""
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, response.read().decode(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers["Content-Type"]


def test_healthz_answers_ok_without_asking_slack(bot):
    status, body, content_type = request(f"{bot.url}/healthz")

    assert (status, body) == (200, "ok\n")
    assert content_type.startswith("text/plain")
    assert bot.slack.calls == []


def test_healthz_is_503_while_the_database_is_gone_and_200_when_back(bot):
    working = bot.services.session_factory
    gone = SessionFactory(make_engine(UNREACHABLE))
    bot.services.session_factory = gone
    try:
        down = request(f"{bot.url}/healthz")
    finally:
        bot.services.session_factory = working
        gone.engine.dispose()
    back = request(f"{bot.url}/healthz")

    assert down[:2] == (503, "database unavailable\n")
    assert back[:2] == (200, "ok\n")


def test_unknown_paths_and_methods_are_404(bot):
    assert request(f"{bot.url}/nope")[0] == 404
    assert request(f"{bot.url}/healthz", method="POST", data=b"")[0] == 404
    assert request(f"{bot.url}/slack/events")[0] == 404  # Slack only ever POSTs here
    assert bot.slack.calls == []
