"""What the bot knows of the people it talks to: their language, and whether they use
the Home tab. Stored per person, so every instance addresses them alike."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.domain.people import language_of_locale, needs_check
from bot.infra.db import SessionFactory
from models import Person

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def languages(session: Session, users: Iterable[str]) -> dict[str, str]:
    """The stored language of each of `users` that the bot knows."""
    wanted = sorted(set(users))
    if not wanted:
        return {}
    rows = session.exec(
        select(Person.user_id, Person.lang).where(col(Person.user_id).in_(wanted))
    ).all()
    return dict(rows)


def all_languages(session: Session, *, limit: int = 10_000) -> dict[str, str]:
    """Everyone's stored language (bounded, for a cache)."""
    rows = session.exec(select(Person.user_id, Person.lang).limit(limit)).all()
    return dict(rows)


def to_check(session_factory: SessionFactory, users: Iterable[str], *, now: datetime) -> list[str]:
    """Which of `users` the bot has never asked about, or not for a long time."""
    wanted = sorted(set(users))
    if not wanted:
        return []
    with session_factory() as session:
        checked = dict(
            session.exec(
                select(Person.user_id, Person.checked_at).where(col(Person.user_id).in_(wanted))
            ).all()
        )
    return [user for user in wanted if needs_check(checked.get(user), now)]


def remember_locale(
    session_factory: SessionFactory, user: str, locale: str | None, *, default: str, now: datetime
) -> str:
    """Store what Slack says of the person's locale; returns their language."""
    lang = language_of_locale(locale, default)
    _upsert(session_factory, user, {"lang": lang, "locale": locale, "checked_at": now})
    return lang


def home_opened(session_factory: SessionFactory, user: str, *, default: str, now: datetime) -> None:
    """The person looked at their Home tab: from now on, changes refresh it."""
    _upsert(
        session_factory,
        user,
        {"home_opened_at": now},
        # Its locale is still to be asked: checked "never".
        insert={"lang": default, "checked_at": NEVER, "home_opened_at": now},
    )
    _remember(_home_cache(session_factory.engine.pool), [user])


# Who is known to use the Home tab, per database (its engine's pool) in this process. Once
# opened, always opened (the mark is never taken back), so what is here stays true; people
# not here are looked up.
_HOME_USERS: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def home_users(session: Session, users: Iterable[str]) -> set[str]:
    """Those of `users` who have ever opened their Home tab (on any instance)."""
    cache = _home_cache(session.get_bind().pool)  # type: ignore[union-attr]
    wanted = set(users)
    known = wanted & cache
    unknown = sorted(wanted - known)
    if not unknown:
        return known
    found = set(session.connection().execute(_OPENED, {"users": unknown}).scalars())
    _remember(cache, found)
    return known | found


# (Core, on the table: it runs with every action that tells somebody something.)
_PERSON = Person.__table__  # type: ignore[attr-defined]
_OPENED = sa_select(_PERSON.c.user_id).where(
    _PERSON.c.user_id.in_(bindparam("users", expanding=True)),
    _PERSON.c.home_opened_at.is_not(None),
)


def _home_cache(pool: Any) -> set[str]:
    cache = _HOME_USERS.get(pool)
    if cache is None:
        cache = _HOME_USERS.setdefault(pool, set())
    return cache


def _remember(cache: set[str], users: Iterable[str]) -> None:
    if len(cache) > 100_000:
        cache.clear()
    cache.update(users)


def _upsert(
    session_factory: SessionFactory,
    user: str,
    values: dict[str, object],
    *,
    insert: dict[str, object] | None = None,
) -> None:
    """INSERT … ON CONFLICT DO UPDATE: one statement, safe when instances race."""
    with session_factory.begin() as session:
        dialect = session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(Person).values(user_id=user, **(insert or values))
        session.execute(
            statement.on_conflict_do_update(index_elements=[col(Person.user_id)], set_=values)
        )
