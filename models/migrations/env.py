"""Alembic environment: migrations run on SQLModel.metadata, on the connection given by bot.db."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from models.memory import FTS_OBJECTS

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `cr-bot db upgrade` (bot.db.upgrade)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Full-text tables and indexes are written by hand in the migrations.
        include_name=lambda name, _kind, _parents: name not in FTS_OBJECTS,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
