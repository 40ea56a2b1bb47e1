"""SQLModel tables of cr-bot. Importing this package registers every table on SQLModel.metadata."""

from models.memory import AgreementConfirmation, FollowUp, SearchDocument
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
    "AgreementConfirmation",
    "AuditEntry",
    "City",
    "DigestRun",
    "DirectoryRole",
    "ExchangeRequest",
    "ExchangeRequestBase",
    "Expert",
    "FollowUp",
    "Network",
    "OutboxMessage",
    "Person",
    "Reflection",
    "ReminderSent",
    "RequestPartner",
    "SearchDocument",
    "SlackEvent",
    "Topic",
    "UTCDateTime",
    "utcnow",
]
