"""The directory file and the directory in the database, which coordinators also change in
Slack: the file is applied at start only when its content changed since it was last
applied (its hash is stored per path), and then it wins; what it replaces of the changes
made in Slack since is said, entry by entry. `cr-bot directory sync` applies it always.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.directory import Directory
from bot.domain.directory_diff import (
    BUDGET,
    CITY,
    CONTACT,
    COORDINATOR,
    TOPIC,
    TOPIC_CONTACT,
    Difference,
    differences,
)
from bot.infra.db import SessionFactory
from bot.usecases.directory import (
    ROLE_CONTACT,
    ROLE_COORDINATOR,
    ROLE_TOPIC_CONTACT,
    SyncReport,
    lock_directory,
    read_directory,
    sync_in,
)
from models.tables import Budget, City, DirectoryFileApplied, DirectoryRole, Topic

ADDED_IN_SLACK = "added in Slack"
REMOVED_IN_SLACK = "removed in Slack"
SET_IN_SLACK = "set in Slack"

_MAX_PATH = 1024  # the column's size; a longer path is kept by its end

_ROLES = {COORDINATOR: ROLE_COORDINATOR, CONTACT: ROLE_CONTACT, TOPIC_CONTACT: ROLE_TOPIC_CONTACT}


@dataclass(frozen=True)
class Replaced:
    """A change made in Slack (after the last file was applied) that the file undoes."""

    difference: Difference
    note: str  # ADDED_IN_SLACK, REMOVED_IN_SLACK or SET_IN_SLACK

    def __str__(self) -> str:
        """E.g. "contact of leipzig @U0LEI9 (added in Slack) removed"."""
        return self.difference.describe(self.note)


@dataclass(frozen=True)
class FileOutcome:
    """What became of the directory file."""

    applied: bool
    report: SyncReport = field(default_factory=SyncReport)
    # Applied: the changes made in Slack it replaced.
    replaced: tuple[Replaced, ...] = ()
    # Not applied: when the same content was applied, and the entries in which the
    # database differs from it (changed in Slack since).
    last_applied: datetime | None = None
    kept: tuple[Difference, ...] = ()


def content_hash(text: str) -> str:
    """The stored fingerprint of a directory file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_directory_file(
    session_factory: SessionFactory,
    directory: Directory,
    *,
    path: str,
    text: str,
    now: datetime,
    force: bool,
) -> FileOutcome:
    """Apply the file at `path` (content `text`, read as `directory`) unless, without
    `force`, the same content was applied from there last; store its hash when applied.

    One transaction under the directory lock: of several instances starting at once, the
    first applies a changed file and the others find it applied."""
    path = path[-_MAX_PATH:]
    digest = content_hash(text)
    with session_factory.begin() as session:
        lock_directory(session)
        records = session.exec(select(DirectoryFileApplied)).all()
        own = next((r for r in records if r.path == path), None)
        latest = max(records, key=lambda r: r.applied_at, default=None)
        # A file never applied from this path (moved, renamed) counts as applied when its
        # content is what was applied last.
        reference = own or latest
        same = reference if reference is not None and reference.sha256 == digest else None
        if same is not None and not force:
            found = differences(read_directory(session), directory)
            return FileOutcome(applied=False, last_applied=same.applied_at, kept=tuple(found))
        since = latest.applied_at if latest else None
        # Before any file was applied nothing was made in Slack since: no need to compare.
        found = differences(read_directory(session), directory) if since is not None else []
        replaced = tuple(
            Replaced(d, note)
            for d in found
            if since is not None and (note := _made_in_slack(session, d, since)) is not None
        )
        report = sync_in(session, directory, now=now)
        if own is None:
            session.add(DirectoryFileApplied(path=path, sha256=digest, applied_at=now))
        else:
            own.sha256, own.applied_at = digest, now
            session.add(own)
    return FileOutcome(applied=True, report=report, replaced=replaced)


def _made_in_slack(session: Session, difference: Difference, since: datetime) -> str | None:
    """How the entry as it is in the database came about after the file was applied at
    `since` (its row changed later), or None when it is still as a file left it. Slack is
    the only other place the directory changes."""
    row = _row(session, difference)
    if row is None or not row.updated_at > since:
        return None
    if difference.before is None:  # inactive in the database, in the file again
        return REMOVED_IN_SLACK
    if difference.kind in _ROLES:
        return ADDED_IN_SLACK
    return SET_IN_SLACK


def _row(session: Session, difference: Difference) -> Any:
    kind, key = difference.kind, difference.key
    if kind in _ROLES:
        role = _ROLES[kind]
        user = key[-1]
        city = key[0] if kind != COORDINATOR else ""
        topic = key[1] if kind == TOPIC_CONTACT else ""
        return session.exec(
            select(DirectoryRole).where(
                col(DirectoryRole.role) == role,
                col(DirectoryRole.city_key) == city,
                col(DirectoryRole.topic_key) == topic,
                col(DirectoryRole.user_id) == user,
            )
        ).first()
    if kind == CITY:
        return session.get(City, key[0])
    if kind == TOPIC:
        return session.get(Topic, key[0])
    if kind == BUDGET:
        year, city = key
        return session.exec(
            select(Budget).where(col(Budget.year) == int(year), col(Budget.city_key) == city)
        ).first()
    return None  # the network's name and holidays: its stamp moves with every change
