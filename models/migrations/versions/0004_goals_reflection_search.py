"""goals, joint reflection and the network's memory (search)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:50:00

The full-text index is written by hand per dialect: SQLite gets an external-content
FTS5 table over search_document, kept in step by triggers (unicode61 with diacritics
removed; the use case adds prefix queries), PostgreSQL a stored generated column
search_tsv = to_tsvector('german', body) with a GIN index (ranking reads it, no re-parse).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_document', "
    "content_rowid='request_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.request_id, new.body); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.request_id, old.body);"
    " END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.request_id, old.body);"
    " INSERT INTO search_fts(rowid, body) VALUES (new.request_id, new.body); END",
)
POSTGRES_FTS = (
    "ALTER TABLE search_document ADD COLUMN search_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('german'::regconfig, body)) STORED",
    "CREATE INDEX ix_search_document_fts ON search_document USING gin (search_tsv)",
)


def upgrade() -> None:
    with op.batch_alter_table("exchange_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("goals", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )
    with op.batch_alter_table("exchange_request", schema=None) as batch_op:
        batch_op.create_index("ix_request_topic_date", ["topic_key", "date_from"], unique=False)
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offer", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("will_apply", sqlmodel.sql.sqltypes.AutoString(length=3000), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "share",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="report",
            )
        )
        batch_op.add_column(
            sa.Column("posted_at", models.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "search_document",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["exchange_request.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "agreement_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("confirmed_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["exchange_request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "user_id", name="uq_agreement_confirmation"),
    )
    with op.batch_alter_table("agreement_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_confirmation_request_id"), ["request_id"], unique=False
        )
    op.create_table(
        "follow_up",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("answered_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["exchange_request.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_document_ai", "search_document_ad", "search_document_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("follow_up")
    with op.batch_alter_table("agreement_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_confirmation_request_id"))
    op.drop_table("agreement_confirmation")
    op.drop_table("search_document")
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.drop_column("posted_at")
        batch_op.drop_column("share")
        batch_op.drop_column("will_apply")
    with op.batch_alter_table("expert", schema=None) as batch_op:
        batch_op.drop_column("offer")
    with op.batch_alter_table("exchange_request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_topic_date")
        batch_op.drop_column("goals")
