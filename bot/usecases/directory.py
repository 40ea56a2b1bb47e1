"""Bring the directory tables in line with a `Directory`, and read the active one back.

Rows are never deleted: whatever left the file becomes inactive, so audit
entries and old messages keep their meaning; it comes back active if it returns.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from bot.domain.budget import BudgetInfo
from bot.domain.directory import CityInfo, Directory, TopicContact, TopicInfo
from bot.domain.travel import TravelRate as Rate
from bot.infra.db import SessionFactory
from models.tables import Budget, City, DirectoryRole, Network, Topic, TravelRate

ROLE_CONTACT = "contact"
ROLE_TOPIC_CONTACT = "topic_contact"
ROLE_COORDINATOR = "coordinator"

NETWORK_ID = 1

# Serialises concurrent syncs on PostgreSQL (e.g. several workers starting at once);
# SQLite already does so with BEGIN IMMEDIATE.
SYNC_LOCK_KEY = 0x6372_6469  # "crdi"


@dataclass
class Changes:
    """What a sync did to one kind of row."""

    added: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.deactivated + self.reactivated

    def __str__(self) -> str:
        parts = [f"{getattr(self, f.name)} {f.name}" for f in fields(self) if getattr(self, f.name)]
        return ", ".join(parts) or "unchanged"


@dataclass
class SyncReport:
    """Changes per kind; `str()` is one line for the CLI."""

    network: Changes = field(default_factory=Changes)
    cities: Changes = field(default_factory=Changes)
    topics: Changes = field(default_factory=Changes)
    contacts: Changes = field(default_factory=Changes)
    topic_contacts: Changes = field(default_factory=Changes)
    coordinators: Changes = field(default_factory=Changes)
    budgets: Changes = field(default_factory=Changes)
    travel_rates: Changes = field(default_factory=Changes)

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name).total for f in fields(self))

    def __str__(self) -> str:
        if not self.changed:
            return "directory synced: nothing changed"
        parts = [
            f"{f.name.replace('_', ' ')} {getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name).total
        ]
        return "directory synced: " + "; ".join(parts)


def sync_directory(
    session_factory: SessionFactory, directory: Directory, *, now: datetime
) -> SyncReport:
    """Upsert network, cities, topics and roles from `directory`, in one transaction.

    Idempotent: a second run with the same directory changes no row.
    """
    with session_factory.begin() as session:
        return sync_in(session, directory, now=now)


def lock_directory(session: Session) -> None:
    """Serialise directory writes on PostgreSQL until the transaction ends (SQLite's write
    transactions already are); taking it twice in one transaction is harmless."""
    if session.connection().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY}
        )


def sync_in(session: Session, directory: Directory, *, now: datetime) -> SyncReport:
    """`sync_directory` inside the caller's transaction."""
    report = SyncReport()
    lock_directory(session)
    report.network = _sync_network(session, directory, now)
    report.cities = _sync_keyed(
        session,
        City,
        {
            c.key: {
                "name": c.name,
                "email_domains": list(c.email_domains),
                "holidays": c.holidays,
            }
            for c in directory.cities
        },
        now,
    )
    report.topics = _sync_keyed(
        session,
        Topic,
        {t.key: {"name": t.name, "name_en": t.name_en} for t in directory.topics},
        now,
    )
    role_changes = _sync_roles(session, _wanted_roles(directory), now)
    report.contacts = role_changes[ROLE_CONTACT]
    report.topic_contacts = role_changes[ROLE_TOPIC_CONTACT]
    report.coordinators = role_changes[ROLE_COORDINATOR]
    report.budgets = _sync_budgets(session, directory.budgets, now)
    report.travel_rates = _sync_travel_rates(session, directory.travel_rates, now)
    network = session.get(Network, NETWORK_ID)
    if report.changed and network is not None and not report.network.added:
        # Running instances compare this stamp to know their snapshot is outdated;
        # it always moves forward, even for two syncs at the same clock time.
        previous = network.updated_at
        network.updated_at = max(now, previous + timedelta(microseconds=1))
        session.add(network)
    return report


def directory_stamp(session_factory: SessionFactory) -> datetime | None:
    """When the directory last changed (one cheap query)."""
    # A plain connection, no ORM session: this runs before every permission check.
    with session_factory.connect() as conn:
        return conn.execute(_STAMP, {"id": NETWORK_ID}).scalar()


_STAMP = select(Network.updated_at).where(col(Network.id) == bindparam("id"))


def load_directory(session_factory: SessionFactory) -> Directory:
    """The directory as the active rows say: cities and topics by name, people by user id."""
    with session_factory() as session:
        return read_directory(session)


def read_directory(session: Session) -> Directory:
    """`load_directory` inside the caller's session."""
    network = session.get(Network, NETWORK_ID)
    cities = session.exec(select(City).where(col(City.active))).all()
    topics = session.exec(select(Topic).where(col(Topic.active))).all()
    roles = session.exec(select(DirectoryRole).where(col(DirectoryRole.active))).all()
    budgets = session.exec(
        select(Budget).where(col(Budget.active)).order_by(col(Budget.year), col(Budget.city_key))
    ).all()
    rates = session.exec(
        select(TravelRate)
        .where(col(TravelRate.active))
        .order_by(col(TravelRate.city_a), col(TravelRate.city_b))
    ).all()

    city_keys = {c.key for c in cities}
    topic_keys = {t.key for t in topics}
    contacts: dict[str, list[str]] = defaultdict(list)
    topic_users: dict[tuple[str, str], list[str]] = defaultdict(list)
    coordinators: list[str] = []
    for role in roles:
        if role.role == ROLE_COORDINATOR:
            coordinators.append(role.user_id)
        elif role.role == ROLE_CONTACT and role.city_key in city_keys:
            contacts[role.city_key].append(role.user_id)
        elif (
            role.role == ROLE_TOPIC_CONTACT
            and role.city_key in city_keys
            and role.topic_key in topic_keys
        ):
            topic_users[role.city_key, role.topic_key].append(role.user_id)

    return Directory(
        network_name=network.name if network else "",
        coordinators=tuple(sorted(coordinators)),
        cities=tuple(
            CityInfo(
                c.key,
                c.name,
                tuple(c.email_domains),
                tuple(sorted(contacts[c.key])),
                c.holidays,
            )
            for c in sorted(cities, key=lambda c: _name_order(c.name, c.key))
        ),
        topics=tuple(
            TopicInfo(t.key, t.name, t.name_en)
            for t in sorted(topics, key=lambda t: _name_order(t.name, t.key))
        ),
        topic_contacts=tuple(
            TopicContact(city, topic, tuple(sorted(users)))
            for (city, topic), users in sorted(topic_users.items())
        ),
        budgets=tuple(
            BudgetInfo(year=b.year, amount_cents=b.amount_cents, city=b.city_key)
            for b in budgets
            if not b.city_key or b.city_key in city_keys
        ),
        holidays=network.holidays if network else None,
        privacy_url=network.privacy_url if network else None,
        travel_rates=tuple(
            Rate(r.city_a, r.city_b, r.cents_per_person)
            for r in rates
            if r.city_a in city_keys and r.city_b in city_keys
        ),
        certificate_signature=network.certificate_signature if network else None,
        certificate_signature_en=network.certificate_signature_en if network else None,
    )


# --- helpers -----------------------------------------------------------------


def _name_order(name: str, key: str) -> tuple[str, str, str]:
    """Sort "Nürnberg" with the N's on every database and locale."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    return plain.casefold(), name, key


def _sync_network(session: Session, directory: Directory, now: datetime) -> Changes:
    changes = Changes()
    wanted: dict[str, str | None] = {
        "name": directory.network_name,
        "holidays": directory.holidays,
        "privacy_url": directory.privacy_url,
        "certificate_signature": directory.certificate_signature,
        "certificate_signature_en": directory.certificate_signature_en,
    }
    network = session.get(Network, NETWORK_ID)
    if network is None:
        session.add(Network.model_validate({"id": NETWORK_ID, "updated_at": now, **wanted}))
        changes.added = 1
    elif any(getattr(network, name) != value for name, value in wanted.items()):
        network.sqlmodel_update(wanted)
        network.updated_at = now
        changes.updated = 1
    return changes


def _sync_keyed(
    session: Session,
    model: type[City] | type[Topic],
    wanted: dict[str, dict[str, Any]],
    now: datetime,
) -> Changes:
    """Cities or topics: rows keyed by `key`, with the fields in `wanted[key]`."""
    changes = Changes()
    found = cast(Sequence[City | Topic], session.exec(select(model)).all())
    existing: dict[str, City | Topic] = {row.key: row for row in found}
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(model(key=key, active=True, updated_at=now, **values))
            changes.added += 1
            continue
        differs = any(getattr(row, name) != value for name, value in values.items())
        if not row.active:
            row.active = True
            changes.reactivated += 1
        elif differs:
            changes.updated += 1
        else:
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
    for key, row in existing.items():
        if key not in wanted and row.active:
            row.active = False
            row.updated_at = now
            changes.deactivated += 1
    return changes


def _sync_budgets(session: Session, wanted: Sequence[BudgetInfo], now: datetime) -> Changes:
    """Budgets keyed by (year, city); one that left the file becomes inactive."""
    changes = Changes()
    existing = {(b.year, b.city_key): b for b in session.exec(select(Budget)).all()}
    for budget in wanted:
        row = existing.get((budget.year, budget.city))
        if row is None:
            session.add(
                Budget(
                    year=budget.year,
                    city_key=budget.city,
                    amount_cents=budget.amount_cents,
                    updated_at=now,
                )
            )
            changes.added += 1
            continue
        if not row.active:
            changes.reactivated += 1
        elif row.amount_cents != budget.amount_cents:
            changes.updated += 1
        else:
            continue
        row.active, row.amount_cents, row.updated_at = True, budget.amount_cents, now
    keys = {(b.year, b.city) for b in wanted}
    for key, row in existing.items():
        if key not in keys and row.active:
            row.active, row.updated_at = False, now
            changes.deactivated += 1
    return changes


def _sync_travel_rates(session: Session, wanted: Sequence[Rate], now: datetime) -> Changes:
    """Rates keyed by their pair (keys in alphabetical order); one that left the file becomes
    inactive."""
    changes = Changes()
    existing = {(r.city_a, r.city_b): r for r in session.exec(select(TravelRate)).all()}
    keys = set()
    for rate in wanted:
        a, b = sorted((rate.from_city, rate.to_city))
        keys.add((a, b))
        row = existing.get((a, b))
        if row is None:
            session.add(
                TravelRate(
                    city_a=a, city_b=b, cents_per_person=rate.cents_per_person, updated_at=now
                )
            )
            changes.added += 1
            continue
        if not row.active:
            changes.reactivated += 1
        elif row.cents_per_person != rate.cents_per_person:
            changes.updated += 1
        else:
            continue
        row.active, row.cents_per_person, row.updated_at = True, rate.cents_per_person, now
    for key, row in existing.items():
        if key not in keys and row.active:
            row.active, row.updated_at = False, now
            changes.deactivated += 1
    return changes


_RoleKey = tuple[str, str, str, str]  # role, city_key, topic_key, user_id


def _wanted_roles(directory: Directory) -> set[_RoleKey]:
    wanted: set[_RoleKey] = set()
    for user in directory.coordinators:
        wanted.add((ROLE_COORDINATOR, "", "", user))
    for city in directory.cities:
        for user in city.contacts:
            wanted.add((ROLE_CONTACT, city.key, "", user))
    for tc in directory.topic_contacts:
        for user in tc.users:
            wanted.add((ROLE_TOPIC_CONTACT, tc.city, tc.topic, user))
    return wanted


def _sync_roles(session: Session, wanted: set[_RoleKey], now: datetime) -> dict[str, Changes]:
    changes = {role: Changes() for role in (ROLE_CONTACT, ROLE_TOPIC_CONTACT, ROLE_COORDINATOR)}
    existing = {
        (r.role, r.city_key, r.topic_key, r.user_id): r
        for r in session.exec(select(DirectoryRole)).all()
    }
    for key in sorted(wanted):
        role, city_key, topic_key, user_id = key
        row = existing.get(key)
        if row is None:
            session.add(
                DirectoryRole(
                    role=role,
                    city_key=city_key,
                    topic_key=topic_key,
                    user_id=user_id,
                    active=True,
                    updated_at=now,
                )
            )
            changes[role].added += 1
        elif not row.active:
            row.active = True
            row.updated_at = now
            changes[role].reactivated += 1
    for key, row in existing.items():
        if key not in wanted and row.active:
            row.active = False
            row.updated_at = now
            changes.setdefault(row.role, Changes()).deactivated += 1
    return changes
