"""The tables: directory, requests and everything that happens to them.

Nothing here talks to Slack. Status values are plain strings; their meaning
and the allowed transitions live in `bot.domain.states`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.domain.request import ExchangeRequestBase
from models.types import UTCDateTime, utcnow


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


# --- directory ---------------------------------------------------------------


class Network(SQLModel, table=True):
    """The one network this bot serves (single row, id 1)."""

    id: int = Field(default=1, primary_key=True)
    name: str = Field(max_length=200)
    # Public holidays for cities without their own, e.g. "DE" (the `holidays` package's code).
    holidays: str | None = Field(default=None, max_length=32)
    # The network's privacy page, from the directory file.
    privacy_url: str | None = Field(default=None, max_length=500)
    # The line on the certificates of participation (who signs), and its English version.
    certificate_signature: str | None = Field(default=None, max_length=300)
    certificate_signature_en: str | None = Field(default=None, max_length=300)
    updated_at: datetime = _ts(default_factory=utcnow)


class City(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    email_domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The city's public holidays, e.g. "DE-HB"; None: the network's.
    holidays: str | None = Field(default=None, max_length=32)
    active: bool = True
    updated_at: datetime = _ts(default_factory=utcnow)


class Topic(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    active: bool = True
    updated_at: datetime = _ts(default_factory=utcnow)


class DirectoryRole(SQLModel, table=True):
    """A person's role in the network: city contact, topic contact or coordinator.

    Rows are never deleted; a person removed from the directory file becomes
    inactive so that audit entries and messages keep their meaning.
    """

    __tablename__ = "directory_role"
    __table_args__ = (
        UniqueConstraint("role", "city_key", "topic_key", "user_id", name="uq_directory_role"),
        Index("ix_directory_role_user", "user_id", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=20)  # contact | topic_contact | coordinator
    user_id: str = Field(max_length=32)
    # "" rather than NULL so the unique constraint works on every database.
    city_key: str = Field(default="", max_length=64)
    topic_key: str = Field(default="", max_length=64)
    active: bool = True
    updated_at: datetime = _ts(default_factory=utcnow)


class DirectoryFileApplied(SQLModel, table=True):
    """A directory file as last applied from its path: the hash of its content (UTF-8, no
    BOM). At start the file is applied again only when its content differs, so that an
    unchanged file never undoes what the coordinators changed in Slack meanwhile."""

    __tablename__ = "directory_file"

    path: str = Field(primary_key=True, max_length=1024)
    sha256: str = Field(max_length=64)
    applied_at: datetime = _ts(default_factory=utcnow)


# --- requests ----------------------------------------------------------------


class ExchangeRequest(ExchangeRequestBase, table=True):
    """A request as stored; its typed fields are defined in the domain (`ExchangeRequestBase`)."""

    __tablename__ = "exchange_request"
    __table_args__ = (
        Index("ix_request_requester", "requester_id", "created_at"),
        Index("ix_request_status_dates", "status", "date_from"),
        # The upcoming window (digest, Home) bounds date_to from below.
        Index("ix_request_status_date_to", "status", "date_to"),
        Index("ix_request_city_status", "own_city_key", "status"),
        Index("ix_request_status_updated", "status", "status_changed_at"),
    )

    # NUMERIC(10, 2) in the database: the domain's field, with the column's type.
    cost_eur: Decimal | None = Field(default=None, sa_type=Numeric(10, 2))
    id: int | None = Field(default=None, primary_key=True)
    requester_id: str = Field(max_length=32)
    status: str = Field(max_length=20)
    # Bumped on every state change; buttons carry it so stale clicks are caught.
    version: int = 1
    locale: str = Field(default="de", max_length=5)
    # Unique per modal submission (view id + hash): a retried submit stores one request.
    submission_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts(default_factory=utcnow)
    status_changed_at: datetime = _ts(default_factory=utcnow)
    decided_at: datetime | None = _ts(default=None)
    decided_by: str | None = Field(default=None, max_length=32)
    decision_comment: str | None = Field(default=None, max_length=3000)
    completed_at: datetime | None = _ts(default=None)
    purged_at: datetime | None = _ts(default=None)


class RequestPartner(SQLModel, table=True):
    """A partner city of a request, and whether it has named its experts."""

    __tablename__ = "request_partner"

    request_id: int = Field(foreign_key="exchange_request.id", primary_key=True)
    city_key: str = Field(primary_key=True, max_length=64)


class Expert(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("request_id", "user_id", name="uq_expert"),
        # An expert's Home lists the exchanges they were named for.
        Index("ix_expert_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="exchange_request.id", index=True)
    city_key: str = Field(max_length=64)
    user_id: str = Field(max_length=32)
    named_by: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=3000)
    # What the host side offers (the naming modal), part of the agreement in the group DM.
    offer: str | None = Field(default=None, max_length=1000)
    named_at: datetime = _ts(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Every state change: who, when, from, to, why."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=32)  # Slack user ID, or "system"
    at: datetime = _ts(default_factory=utcnow)
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    comment: str | None = Field(default=None, max_length=3000)
    # A deputy acting for an absent contact: whom they acted for.
    on_behalf_of: str | None = Field(default=None, max_length=32)


class ActionMessage(SQLModel, table=True):
    """A message with buttons we posted (decision or naming request), to update later."""

    __tablename__ = "action_message"
    __table_args__ = (
        UniqueConstraint("request_id", "kind", "user_id", "round", name="uq_action_message"),
        Index("ix_action_message_user_open", "user_id", "closed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="exchange_request.id", index=True)
    kind: str = Field(max_length=20)  # decision | naming
    user_id: str = Field(max_length=32)
    city_key: str = Field(default="", max_length=64)
    round: int = 1  # a request sent back for information starts a new round
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    closed: bool = False


class OutboxMessage(SQLModel, table=True):
    """A Slack call that must happen because of a committed change.

    Written in the same transaction as the change; a sender claims, sends and
    marks it, retrying with backoff until Slack accepts it.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "sent_at", "dead", "next_attempt_at"),
        Index("ix_outbox_result", "result_channel", "result_ts"),
        Index("ix_outbox_recipient", "method", "recipient", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, index=True)
    method: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Optional: store the posted message's channel/ts into action_message.
    action_message_id: int | None = Field(default=None)
    created_at: datetime = _ts(default_factory=utcnow)
    next_attempt_at: datetime = _ts(default_factory=utcnow)
    claimed_until: datetime | None = _ts(default=None)
    attempts: int = 0
    sent_at: datetime | None = _ts(default=None)
    dead: bool = False
    last_error: str | None = Field(default=None, max_length=500)
    # A Home refresh: whose tab it is for (one waiting refresh per person is enough); a
    # message: the conversation it goes to (bot.outbox.writer.lane_key), sent in order.
    recipient: str | None = Field(default=None, max_length=32)
    # Where Slack put the message (chat.postMessage), for replies in its thread.
    result_channel: str | None = Field(default=None, max_length=32)
    result_ts: str | None = Field(default=None, max_length=32)
    # Post in the thread of another outbox message (a long digest continues there).
    thread_of: int | None = Field(default=None)


class DigestRun(SQLModel, table=True):
    """One digest period posted to one channel: the unique key makes it happen once."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("channel", "period", name="uq_digest_period"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    period: str = Field(max_length=40)
    created_at: datetime = _ts(default_factory=utcnow)


class ReminderSent(SQLModel, table=True):
    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("request_id", "step", "round", name="uq_reminder_step"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="exchange_request.id")
    step: str = Field(max_length=20)  # remind | escalate | reflect
    round: int = 1
    sent_at: datetime = _ts(default_factory=utcnow)


class Reflection(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("request_id", "user_id", name="uq_reflection"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="exchange_request.id", index=True)
    user_id: str = Field(max_length=32)
    worked: str | None = Field(default=None, max_length=3000)
    not_worked: str | None = Field(default=None, max_length=3000)
    recommend: bool | None = None
    rating: int
    created_at: datetime = _ts(default_factory=utcnow)
    # What they will apply, and who may read the reflection: report | participants | network.
    will_apply: str | None = Field(default=None, max_length=3000)
    share: str = Field(default="report", max_length=20)
    # When a lesson shared with the network went to the digest channel.
    posted_at: datetime | None = _ts(default=None)


# --- people and deliveries -----------------------------------------------------


class Person(SQLModel, table=True):
    """Someone the bot talks to: their language, from their Slack locale (users.info),
    and whether they use the Home tab. Only Slack user IDs and what Slack says of them."""

    user_id: str = Field(primary_key=True, max_length=32)
    lang: str = Field(max_length=5)  # "de" or "en"
    locale: str | None = Field(default=None, max_length=16)  # as Slack gave it, e.g. "en-US"
    checked_at: datetime = _ts(default_factory=utcnow)  # when users.info was last asked
    home_opened_at: datetime | None = _ts(default=None)


class SlackEvent(SQLModel, table=True):
    """An Events API delivery, handled once however often Slack retries it (same event_id),
    on however many instances."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _ts(default_factory=utcnow, index=True)


# --- running the programme: budgets, deputies, cost claims ----------------------


class Budget(SQLModel, table=True):
    """A travel budget from the directory file: the network's for the exchanges starting in
    a year (`city_key` ""), or a city's own share. Money in cents.

    Also the lock row: an approval charged to a budget takes it FOR UPDATE first, so two
    approvals at once see each other's commitment."""

    __table_args__ = (UniqueConstraint("year", "city_key", name="uq_budget"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    city_key: str = Field(default="", max_length=64)
    amount_cents: int = Field(sa_type=BigInteger)
    active: bool = True
    updated_at: datetime = _ts(default_factory=utcnow)


class TravelRate(SQLModel, table=True):
    """Travel cost per person between two cities, from the directory file; one row per pair,
    stored with the keys in alphabetical order (a rate applies in both directions)."""

    __tablename__ = "travel_rate"
    __table_args__ = (UniqueConstraint("city_a", "city_b", name="uq_travel_rate"),)

    id: int | None = Field(default=None, primary_key=True)
    city_a: str = Field(max_length=64)
    city_b: str = Field(max_length=64)
    cents_per_person: int = Field(sa_type=BigInteger)
    active: bool = True
    updated_at: datetime = _ts(default_factory=utcnow)


class Deputy(SQLModel, table=True):
    """A contact away until a date, and who stands in (None: nobody; then the coordinators).

    Active from its creation through `until` (inclusive), unless ended early."""

    __table_args__ = (
        Index("ix_deputy_user", "user_id", "until"),
        Index("ix_deputy_deputy", "deputy_id", "until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    deputy_id: str | None = Field(default=None, max_length=32)
    until: date
    created_by: str = Field(max_length=32)
    created_at: datetime = _ts(default_factory=utcnow)
    ended_at: datetime | None = _ts(default=None)
    ended_by: str | None = Field(default=None, max_length=32)


class CostClaim(SQLModel, table=True):
    """The actual travel costs of an exchange, claimed by the requester after it.

    asked -> claimed -> checked -> paid; a question sends it back to the requester
    (question -> claimed). Money in cents; receipts stay in Slack: here their id, name and
    permalink ({"id", "name", "permalink"}; claims stored before hold bare file ids) in
    the column `file_ids`."""

    __tablename__ = "cost_claim"
    __table_args__ = (Index("ix_cost_claim_status", "status"),)

    request_id: int = Field(foreign_key="exchange_request.id", primary_key=True)
    status: str = Field(max_length=20)
    version: int = 1
    amount_cents: int | None = Field(default=None, sa_type=BigInteger)  # in total
    per_person_cents: int | None = Field(default=None, sa_type=BigInteger)
    note: str | None = Field(default=None, max_length=3000)
    receipts: list[Any] = Field(
        default_factory=list, sa_column=Column("file_ids", JSON, nullable=False)
    )
    claimed_by: str | None = Field(default=None, max_length=32)
    asked_at: datetime = _ts(default_factory=utcnow)
    claimed_at: datetime | None = _ts(default=None)
    updated_at: datetime = _ts(default_factory=utcnow)
