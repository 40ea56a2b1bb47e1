"""Deputies: name one for a period, end it early, and look up who stands in for whom.

An absence is active from when it is set through its `until` day (inclusive, in the
network's time zone) unless it was ended early; a newer one for the same person replaces it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.deputies import Absence
from bot.infra.db import SessionFactory
from bot.usecases.common import audit
from bot.usecases.ports import Context
from models import Deputy


def local_day(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def _active(today: date) -> list[object]:
    return [col(Deputy.ended_at).is_(None), col(Deputy.until) >= today]


def _absence(row: Deputy) -> Absence:
    return Absence(user=row.user_id, deputy=row.deputy_id, until=row.until, id=row.id or 0)


# Every absence active on a day, oldest first: a network has a handful at a time, so an
# action reads them all once and routes everyone it tells from them.
# (Core, on the table: no ORM round for a look-up of four columns.)
_DEPUTY = Deputy.__table__  # type: ignore[attr-defined]
_ACTIVE_ON = (
    sa_select(_DEPUTY.c.id, _DEPUTY.c.user_id, _DEPUTY.c.deputy_id, _DEPUTY.c.until)
    .where(_DEPUTY.c.ended_at.is_(None), _DEPUTY.c.until >= bindparam("today"))
    .order_by(_DEPUTY.c.id)
)
_READ = "cr_absences"


def absences(session: Session, today: date) -> tuple[Absence, ...]:
    """The absences active on `today`, oldest first; read once per transaction (an action
    asks several times: who decides, who names, whom the actor stands in for)."""
    transaction = session.get_transaction()
    read = session.info.get(_READ)
    if read is not None and read[0] is transaction and read[1] == today:
        return cast(tuple[Absence, ...], read[2])
    rows = session.connection().execute(_ACTIVE_ON, {"today": today}).all()
    found = tuple(Absence(user=r[1], deputy=r[2], until=r[3], id=r[0]) for r in rows)
    session.info[_READ] = (session.get_transaction(), today, found)
    return found


def _changed(session: Session) -> None:
    """This transaction changed an absence: the next question reads them anew."""
    session.info.pop(_READ, None)


def away(session: Session, users: list[str] | tuple[str, ...], today: date) -> dict[str, Absence]:
    """The active absences of `users`, by person."""
    if not users:
        return {}
    wanted = set(users)
    return {a.user: a for a in absences(session, today) if a.user in wanted}  # newest wins


def standing_in(session: Session, actor: str, today: date) -> tuple[str, ...]:
    """Whom `actor` stands in for today."""
    return tuple(dict.fromkeys(a.user for a in absences(session, today) if a.deputy == actor))


def absence_of(session_factory: SessionFactory, user: str, today: date) -> Absence | None:
    with session_factory() as session:
        return away(session, [user], today).get(user)


def standing_in_for(session_factory: SessionFactory, user: str, today: date) -> list[Absence]:
    """The active absences in which `user` is the deputy."""
    with session_factory() as session:
        rows = session.exec(
            select(Deputy)
            .where(Deputy.deputy_id == user, *_active(today))  # type: ignore[arg-type]
            .order_by(col(Deputy.until))
        ).all()
        return [_absence(r) for r in rows]


def set_deputy(
    session_factory: SessionFactory,
    *,
    actor: str,
    user: str,
    deputy: str | None,
    until: date,
    ctx: Context,
    now: datetime,
) -> Absence:
    """`user` is away through `until`; `deputy` stands in (None: nobody). Replaces an
    absence of `user` still active; the deputy is told."""
    today = local_day(now, ctx.tz)
    rules.check_set_deputy(ctx.directory, actor, user, deputy, until, today)
    with session_factory.begin() as session:
        _end(session, user, actor, now, today)
        _changed(session)
        row = Deputy(user_id=user, deputy_id=deputy, until=until, created_by=actor, created_at=now)
        session.add(row)
        session.flush()
        comment = f"{user} away until {until.isoformat()}; deputy {deputy or 'none'}"
        audit(session, request_id=None, actor=actor, action="deputy", now=now, comment=comment)
        absence = _absence(row)
        ctx.notify.deputy_set(session, absence, actor, now=now)
    return absence


def end_deputy(
    session_factory: SessionFactory,
    *,
    actor: str,
    user: str,
    ctx: Context,
    now: datetime,
) -> Absence | None:
    """End `user`'s absence early (the person, or a coordinator). None when there was none."""
    today = local_day(now, ctx.tz)
    if actor != user and not ctx.directory.is_coordinator(actor):
        rules.check_set_deputy(ctx.directory, actor, user, None, today, today)
    with session_factory.begin() as session:
        ended = _end(session, user, actor, now, today)
        _changed(session)
        if ended is None:
            return None
        audit(
            session,
            request_id=None,
            actor=actor,
            action="deputy_end",
            now=now,
            comment=f"{user}; deputy {ended.deputy or 'none'}",
        )
        ctx.notify.deputy_ended(session, ended, actor, now=now)
    return ended


def _end(session: Session, user: str, actor: str, now: datetime, today: date) -> Absence | None:
    current = away(session, [user], today).get(user)
    session.execute(
        update(Deputy)
        .where(col(Deputy.user_id) == user, *_active(today))  # type: ignore[arg-type]
        .values(ended_at=now, ended_by=actor)
        .execution_options(synchronize_session=False)
    )
    return current
