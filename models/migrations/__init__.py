"""Alembic migrations of the tables in models/ (run by `cr-bot db upgrade`)."""

# The newest revision; bot.infra.db skips Alembic when the database is already there.
# tests/test_migrations.py checks it against the scripts.
HEAD = "0010"
