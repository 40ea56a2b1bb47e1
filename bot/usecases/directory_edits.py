"""Coordinators change the directory in Slack: one edit at a time, checked as the file is.

Each edit runs under the directory's lock (the one `sync_directory` takes; SQLite's write
transaction holds its lock from BEGIN IMMEDIATE on) and is made to the directory as it is
at that moment: two coordinators adding contacts to one city at once both keep theirs. An
edit that sets a value (a budget, a city's topic contacts) that somebody changed since the
modal was opened (`seen`) is refused as a conflict rather than overwriting it unseen.

Rows are never deleted (as in the file's sync): a removed person's role becomes inactive.
The directory stamp moves forward, so every instance reloads before its next action.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.domain import directory_edits as e
from bot.domain.budget import Money
from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.infra.db import SessionFactory
from bot.infra.directory_edits import check_edit
from bot.usecases.common import audit
from bot.usecases.directory import (
    NETWORK_ID,
    ROLE_CONTACT,
    ROLE_COORDINATOR,
    ROLE_TOPIC_CONTACT,
    SYNC_LOCK_KEY,
    read_directory,
)
from bot.usecases.ports import Context
from models import Budget, DirectoryRole, Network, Topic

CONFLICT = "dir.conflict"

_RoleKey = tuple[str, str, str, str]  # role, city_key, topic_key, user_id


def check_coordinator(directory: Directory, user: str) -> None:
    """Only coordinators see and change the directory in Slack."""
    if not directory.is_coordinator(user):
        raise Refused("dir.refused")


def edit_directory(
    session_factory: SessionFactory,
    edit: e.Edit,
    *,
    actor: str,
    ctx: Context,
    now: datetime,
    seen: datetime | None = None,
) -> e.Change:
    """Make `edit` for `actor` (a coordinator): checked, stored, recorded, told.

    Raises Refused: not a coordinator; the last coordinator; someone not listed; the
    checker's problems (`Problems`, each message with its field); a `CONFLICT`."""
    with session_factory.begin() as session:
        if session.connection().dialect.name == "postgresql":
            session.connection().execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY}
            )
        before = read_directory(session)
        check_coordinator(before, actor)
        _check_rules(before, edit)
        if seen is not None:
            _check_conflict(session, before, edit, seen)
        after, problems = check_edit(before, edit)
        if after is None:
            raise e.Problems([(field, problem.message) for field, problem in problems])
        change = e.describe(before, after, edit)
        if change.before == change.after:
            return change  # nothing to change (the same amount, the same people)
        stamp = _touch(session, now)
        _write(session, before, after, stamp)
        audit(
            session,
            request_id=None,
            actor=actor,
            action=f"dir_{change.kind}",
            now=now,
            comment=f"{change.subject}: {change.before} -> {change.after}",
        )
        ctx.notify.directory_changed(session, change, actor, now=now)
    return change


def _check_rules(directory: Directory, edit: e.Edit) -> None:
    """What the file's checker cannot see: whom an edit removes, and the last coordinator."""
    if isinstance(edit, e.AddContact | e.RemoveContact) and directory.city(edit.city) is None:
        raise Refused("dir.unknown_city", {"city": edit.city})
    if isinstance(edit, e.RemoveContact) and edit.user not in directory.contacts_of(edit.city):
        city = directory.city_name(edit.city)
        raise Refused("dir.not_contact", {"user": edit.user, "city": city}, field=e.PERSON)
    if isinstance(edit, e.RemoveCoordinator):
        if edit.user not in directory.coordinators:
            raise Refused("dir.not_coordinator", {"user": edit.user}, field=e.PERSON)
        if len(directory.coordinators) == 1:
            raise Refused("dir.last_coordinator", {"user": edit.user}, field=e.PERSON)


def _check_conflict(session: Session, directory: Directory, edit: e.Edit, seen: datetime) -> None:
    """A value set since `seen` (when the modal was opened) is not overwritten unseen."""
    if isinstance(edit, e.SetBudget) and isinstance(edit.year, int):
        row = session.exec(
            select(Budget).where(Budget.year == edit.year, Budget.city_key == edit.city)
        ).first()
        if row is not None and row.updated_at > seen:
            raise Refused(CONFLICT, {"amount": Money(row.amount_cents) if row.active else None})
    if isinstance(edit, e.SetTopicContact):
        changed = session.exec(
            select(DirectoryRole.id).where(
                DirectoryRole.role == ROLE_TOPIC_CONTACT,
                DirectoryRole.city_key == edit.city,
                DirectoryRole.topic_key == edit.topic,
                col(DirectoryRole.updated_at) > seen,
            )
        ).first()
        if changed is not None:
            raise Refused(CONFLICT, {"users": e.people_of(directory, edit)})


def _touch(session: Session, now: datetime) -> datetime:
    """Move the directory stamp forward (always, even within one clock tick); returns it."""
    network = session.get(Network, NETWORK_ID)
    if network is None:
        raise Refused("directory.empty")
    stamp = max(now, network.updated_at + timedelta(microseconds=1))
    network.updated_at = stamp
    session.add(network)
    return stamp


def _write(session: Session, before: Directory, after: Directory, stamp: datetime) -> None:
    """Store what differs between `before` and `after`; each changed row is stamped."""
    old, new = _roles(before), _roles(after)
    for key in sorted(new - old):
        role, city, topic_key, user = key
        row = session.exec(
            select(DirectoryRole).where(
                DirectoryRole.role == role,
                DirectoryRole.city_key == city,
                DirectoryRole.topic_key == topic_key,
                DirectoryRole.user_id == user,
            )
        ).first()
        if row is None:
            row = DirectoryRole(role=role, city_key=city, topic_key=topic_key, user_id=user)
        row.active, row.updated_at = True, stamp
        session.add(row)
    for key in sorted(old - new):
        role, city, topic_key, user = key
        for row in session.exec(
            select(DirectoryRole).where(
                DirectoryRole.role == role,
                DirectoryRole.city_key == city,
                DirectoryRole.topic_key == topic_key,
                DirectoryRole.user_id == user,
            )
        ).all():
            row.active, row.updated_at = False, stamp
            session.add(row)
    known = {t.key for t in before.topics}
    for topic in after.topics:
        if topic.key in known:
            continue
        found = session.get(Topic, topic.key)  # a topic that left the file comes back
        if found is None:
            found = Topic(key=topic.key, name=topic.name)
        found.name, found.name_en = topic.name, topic.name_en
        found.active, found.updated_at = True, stamp
        session.add(found)
    amounts = {(b.year, b.city): b.amount_cents for b in before.budgets}
    for budget in after.budgets:
        if amounts.get((budget.year, budget.city)) == budget.amount_cents:
            continue
        row_b = session.exec(
            select(Budget).where(Budget.year == budget.year, Budget.city_key == budget.city)
        ).first()
        if row_b is None:
            row_b = Budget(year=budget.year, city_key=budget.city, amount_cents=0)
        row_b.amount_cents, row_b.active, row_b.updated_at = budget.amount_cents, True, stamp
        session.add(row_b)


def _roles(directory: Directory) -> set[_RoleKey]:
    found: set[_RoleKey] = {(ROLE_COORDINATOR, "", "", u) for u in directory.coordinators}
    for city in directory.cities:
        found |= {(ROLE_CONTACT, city.key, "", u) for u in city.contacts}
    for tc in directory.topic_contacts:
        found |= {(ROLE_TOPIC_CONTACT, tc.city, tc.topic, u) for u in tc.users}
    return found
