"""SQLModel tables of cr-bot. Importing this package registers every table on SQLModel.metadata."""

from models.tables import (
    ActionMessage,
    AuditEntry,
    City,
    DigestRun,
    DirectoryRole,
    ExchangeRequest,
    ExchangeRequestBase,
    Expert,
    Network,
    OutboxMessage,
    Person,
    Reflection,
    ReminderSent,
    RequestPartner,
    SlackEvent,
    Topic,
)
from models.types import UTCDateTime, utcnow

__all__ = [
    "ActionMessage",
    "AuditEntry",
    "City",
    "DigestRun",
    "DirectoryRole",
    "ExchangeRequest",
    "ExchangeRequestBase",
    "Expert",
    "Network",
    "OutboxMessage",
    "Person",
    "Reflection",
    "ReminderSent",
    "RequestPartner",
    "SlackEvent",
    "Topic",
    "UTCDateTime",
    "utcnow",
]
