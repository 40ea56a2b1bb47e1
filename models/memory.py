"""Tables of the network's memory: the search documents, the agreement's confirmations,
and the follow-up question after an exchange (issue 15).

The full-text indexes over `search_document.terms` are not SQLModel objects: the
migrations create them by hand per dialect (an FTS5 table with triggers on SQLite, a
GIN index on PostgreSQL); `FTS_OBJECTS` names them so that schema comparisons leave them out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables import ExchangeRequest
from models.types import UTCDateTime, utcnow

# Experts on a topic: its latest agreed exchanges, without reading every request.
Index("ix_request_topic_date", "topic_key", "date_from", _table=ExchangeRequest.__table__)  # type: ignore[attr-defined]

# Hand-made full-text objects (tables, triggers, indexes): not in SQLModel.metadata.
FTS_TABLE = "search_fts"
FTS_INDEX = "ix_search_document_fts"
FTS_COLUMN = "search_tsv"  # PostgreSQL: the stored tsvector of `terms`, a generated column
FTS_OBJECTS = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")),
        FTS_INDEX,
        FTS_COLUMN,
    }
)


class SearchDocument(SQLModel, table=True):
    """What search finds a request by: title, question, topic, cities, goals, offers and
    the lessons shared with the network, as one text. Rewritten by the use cases that
    change any of it."""

    __tablename__ = "search_document"

    request_id: int = Field(foreign_key="exchange_request.id", primary_key=True)
    body: str = Field(sa_type=Text)
    # The stems of body's words (bot.domain.search.index_terms): what both databases index.
    terms: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    updated_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class AgreementConfirmation(SQLModel, table=True):
    """A participant confirmed the agreement in the group DM (goals, offer, dates, place)."""

    __tablename__ = "agreement_confirmation"
    __table_args__ = (UniqueConstraint("request_id", "user_id", name="uq_agreement_confirmation"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="exchange_request.id", index=True)
    user_id: str = Field(max_length=32)
    confirmed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class FollowUp(SQLModel, table=True):
    """The requester's answer, 45 days after the end: "Haben Sie etwas davon umgesetzt?"."""

    __tablename__ = "follow_up"

    request_id: int = Field(foreign_key="exchange_request.id", primary_key=True)
    user_id: str = Field(max_length=32)
    answer: str = Field(max_length=20)  # yes | partly | not_yet
    note: str | None = Field(default=None, max_length=300)
    answered_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
