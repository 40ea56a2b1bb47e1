"""The performance suite (issue 7): `python -m tests.bench [--quick]`.

The bot runs as in production (gunicorn, gthread workers, `bot.entry.wsgi:create()`, a real
database) against the fake Slack Web API; this process holds the fake and the load
generator. Everything talks over loopback only, and every loop is bounded in count and time.
"""
