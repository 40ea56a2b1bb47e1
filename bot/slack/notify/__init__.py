"""The Slack notifier: the one way out to Slack, every notification an outbox row.

It implements the use cases' port (`bot.usecases.ports.Notifications`), one module per
conversation; each method renders the message with the Block Kit builders and enqueues it
in the use case's transaction, so it is sent exactly when the change commits.
"""

from __future__ import annotations

from bot.slack.notify.claims import ClaimsNotifier
from bot.slack.notify.deciding import DecidingNotifier
from bot.slack.notify.deputies import DeputiesNotifier
from bot.slack.notify.digest import DigestNotifier
from bot.slack.notify.directory import DirectoryNotifier
from bot.slack.notify.files import FilesNotifier
from bot.slack.notify.matching import MatchingNotifier
from bot.slack.notify.overdue import OverdueNotifier
from bot.slack.notify.reflection import ReflectionNotifier


class Notifier(
    DecidingNotifier,
    MatchingNotifier,
    OverdueNotifier,
    ReflectionNotifier,
    DeputiesNotifier,
    ClaimsNotifier,
    FilesNotifier,
    DigestNotifier,
    DirectoryNotifier,
):
    """Every conversation's notifications (see `NotifierBase` for what it knows)."""


__all__ = ["Notifier"]
