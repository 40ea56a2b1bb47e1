"""search: both databases index the same stems (search_document.terms)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:00:00

SQLite's FTS5 indexed the body as typed ("straße") while the query was case-folded in
Python ("strasse"), and PostgreSQL stemmed with its own German configuration: the two
databases found different words. Now bot.domain.search makes the stems of a document
once, in Python, stored in `terms`; SQLite's FTS5 table (no diacritics removed, the
stems have none) and PostgreSQL's generated tsvector (`simple`: no second stemming)
index exactly those. Existing documents get their stems here.
"""

import sqlalchemy as sa
from alembic import op

from bot.domain.search import index_terms

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TRIGGERS = ("search_document_ai", "search_document_ad", "search_document_au")


def _sqlite_fts(column: str, diacritics: int) -> tuple[str, ...]:
    return (
        f"CREATE VIRTUAL TABLE search_fts USING fts5({column}, content='search_document', "
        f"content_rowid='request_id', tokenize='unicode61 remove_diacritics {diacritics}')",
        "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
        f"INSERT INTO search_fts(rowid, {column}) VALUES (new.request_id, new.{column}); END",
        "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {column}) "
        f"VALUES ('delete', old.request_id, old.{column}); END",
        "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {column}) "
        f"VALUES ('delete', old.request_id, old.{column});"
        f" INSERT INTO search_fts(rowid, {column}) VALUES (new.request_id, new.{column}); END",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    )


def _postgres_fts(column: str, config: str) -> tuple[str, ...]:
    return (
        "ALTER TABLE search_document ADD COLUMN search_tsv tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('{config}'::regconfig, {column})) STORED",
        "CREATE INDEX ix_search_document_fts ON search_document USING gin (search_tsv)",
    )


def _drop_fts(sqlite: bool) -> None:
    if sqlite:
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_document_fts")
        op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS search_tsv")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_fts(sqlite)
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms", sa.Text(), server_default="", nullable=False))
    documents = sa.table(
        "search_document", sa.column("request_id", sa.Integer), sa.column("body", sa.Text),
        sa.column("terms", sa.Text),
    )  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(sa.select(documents.c.request_id, documents.c.body)).all()
    for request_id, body in rows:
        bind.execute(
            documents.update()
            .where(documents.c.request_id == request_id)
            .values(terms=index_terms(body or ""))
        )
    for statement in _sqlite_fts("terms", 0) if sqlite else _postgres_fts("terms", "simple"):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_fts(sqlite)
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_column("terms")
    for statement in _sqlite_fts("body", 2) if sqlite else _postgres_fts("body", "german"):
        op.execute(statement)
