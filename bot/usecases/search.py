"""The network's memory: full-text search over past exchanges, and who acted as expert.

Each request has one search document (title, question, topic, cities, goals, what the
host side offered, lessons shared with the network), rewritten by `refresh_document` in
the transaction of whatever changed it, with the stems of its words (`terms`, made by
`bot.domain.search`, the same for both databases). SQLite searches the stems through an
FTS5 table kept in step by triggers, PostgreSQL through a GIN index on a stored
`to_tsvector('simple', terms)`: the same words are found the same way on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain import search as words
from bot.domain.directory import Directory
from bot.domain.reflection import Lesson
from bot.domain.request import Summary
from bot.infra.db import SessionFactory
from bot.usecases.common import summaries
from models import City, ExchangeRequest, Expert, Reflection, RequestPartner, SearchDocument, Topic

PAGE = 10
LESSONS_PER_HIT = 3
EXPERTS_PER_TOPIC = 5
# Who was expert on a result's topic is counted over its latest agreed exchanges.
TOPIC_RECENT = 200
PURGED_PREFIX = "purged"
_SEARCHABLE = tuple(sorted(rules.SEARCHABLE))


@dataclass(frozen=True)
class ExpertCount:
    city_key: str
    user_id: str
    exchanges: int


@dataclass(frozen=True)
class Hit:
    request: Summary
    experts: tuple[tuple[str, str], ...]  # (city, user), in the order named
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class Found:
    """One page of results; `more` when there is a next page."""

    query: str
    offset: int
    hits: list[Hit]
    more: bool
    # Who acted as expert before on the topics of these results, most exchanges first.
    topic_experts: dict[str, list[ExpertCount]] = field(default_factory=dict)
    # The day searched on: the statuses shown follow it (bot.domain.timeline).
    today: date | None = None


# --- the document -------------------------------------------------------------------


def document_text(session: Session, request_id: int) -> str:
    """Everything a request is found by, as one text."""
    request = session.get(ExchangeRequest, request_id)
    if request is None:
        return ""
    topic = session.get(Topic, request.topic_key)
    partners = session.exec(
        select(RequestPartner.city_key).where(RequestPartner.request_id == request_id)
    ).all()
    cities = []
    for key in [request.own_city_key, *partners]:
        city = session.get(City, key)
        cities.append(city.name if city else key)
    offers = session.exec(
        select(Expert.offer).where(Expert.request_id == request_id, col(Expert.offer).is_not(None))
    ).all()
    lessons = shared_lessons(session, [request_id]).get(request_id, [])
    return _body(request, (topic.name, topic.name_en) if topic else (), cities, offers, lessons)


def _body(
    request: ExchangeRequest,
    topic_names: Iterable[str | None],
    city_names: Iterable[str],
    offers: Iterable[str | None],
    lessons: Iterable[Lesson],
) -> str:
    parts: list[str | None] = [request.title, request.question, request.goals]
    parts += [*topic_names, *city_names, *offers]
    for lesson in lessons:
        parts += [lesson.worked, lesson.not_worked, lesson.will_apply]
    return "\n".join(dict.fromkeys(p for p in parts if p))


def refresh_document(session: Session, request_id: int, *, now: datetime) -> None:
    """Rewrite the request's search document (in the caller's transaction)."""
    body = document_text(session, request_id)
    stems = words.index_terms(body)
    document = session.get(SearchDocument, request_id)
    if document is None:
        session.add(SearchDocument(request_id=request_id, body=body, terms=stems, updated_at=now))
    elif (document.body, document.terms) != (body, stems):
        document.body = body
        document.terms = stems
        document.updated_at = now
        session.add(document)
    session.flush()


def new_document(
    session: Session,
    request: ExchangeRequest,
    partner_keys: Iterable[str],
    directory: Directory,
    *,
    now: datetime,
) -> None:
    """The search document of a request just stored (in the caller's transaction), from
    what the filing has in hand: the same text `refresh_document` reads back, without the
    reads (a new request has no offers, lessons or document yet). Topic and cities are
    named as the directory snapshot names them; one it does not know is read."""
    assert request.id is not None
    topic = directory.topic(request.topic_key)
    if topic is not None:
        topic_names: tuple[str | None, ...] = (topic.name, topic.name_en)
    else:
        stored = session.get(Topic, request.topic_key)
        topic_names = (stored.name, stored.name_en) if stored else ()
    cities = []
    for key in [request.own_city_key, *partner_keys]:
        known = directory.city(key)
        if known is not None:
            cities.append(known.name)
        else:
            city = session.get(City, key)
            cities.append(city.name if city else key)
    body = _body(request, topic_names, cities, (), ())
    session.execute(
        _NEW_DOCUMENT,
        {
            "request_id": request.id,
            "body": body,
            "terms": words.index_terms(body),
            "updated_at": now,
        },
    )


# Built once: a statement made anew for every filing costs more than its execution.
_NEW_DOCUMENT = SearchDocument.__table__.insert()  # type: ignore[attr-defined]


# --- search -------------------------------------------------------------------------


def search(
    session_factory: SessionFactory,
    viewer: str,
    query: str,
    *,
    offset: int = 0,
    limit: int = PAGE,
    today: date | None = None,
) -> Found:
    """Exchanges matching every word of `query` that `viewer` may see, best first,
    newest first among equals; one page of `limit` from `offset`."""
    found = words.terms(query)
    offset = max(0, offset)
    if not found:
        return Found(query, offset, [], False, today=today)
    with session_factory() as session:
        ids = _matching_ids(session, viewer, found, offset=offset, limit=limit + 1)
        more = len(ids) > limit
        ids = ids[:limit]
        return Found(
            query, offset, _hits(session, ids), more, _topic_experts_of(session, ids), today
        )


def _matching_ids(
    session: Session, viewer: str, found: list[str], *, offset: int, limit: int
) -> list[int]:
    params = {"viewer": viewer, "limit": limit, "offset": offset}
    statuses = ", ".join(f"'{s}'" for s in _SEARCHABLE)  # constants, not input
    visible = f"(r.status IN ({statuses}) OR r.requester_id = :viewer)"
    if session.get_bind().dialect.name == "sqlite":
        sql = (
            "SELECT r.id FROM search_fts JOIN exchange_request r ON r.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND {visible} "
            "ORDER BY round(bm25(search_fts), 4), r.created_at DESC, r.id DESC "
            "LIMIT :limit OFFSET :offset"
        )
        params["q"] = words.fts5_query(found)
    else:
        sql = (
            "SELECT r.id FROM search_document d JOIN exchange_request r ON r.id = d.request_id, "
            "to_tsquery('simple', :q) q "
            f"WHERE d.search_tsv @@ q AND {visible} "
            "ORDER BY round(ts_rank(d.search_tsv, q)::numeric, 4) "
            "DESC, r.created_at DESC, r.id DESC LIMIT :limit OFFSET :offset"
        )
        params["q"] = words.tsquery(found)
    return [int(i) for i in session.execute(text(sql), params).scalars()]


def _hits(session: Session, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    rows = session.exec(select(ExchangeRequest).where(col(ExchangeRequest.id).in_(ids))).all()
    by_id = {s.id: s for s in summaries(session, list(rows))}
    experts: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for request_id, city, user in session.exec(
        select(Expert.request_id, Expert.city_key, Expert.user_id)
        .where(col(Expert.request_id).in_(ids))
        .order_by(col(Expert.id))
    ).all():
        if not user.startswith(PURGED_PREFIX):
            experts[request_id].append((city, user))
    lessons = shared_lessons(session, ids)
    return [
        Hit(by_id[i], tuple(experts[i]), tuple(lessons.get(i, [])[:LESSONS_PER_HIT]))
        for i in ids
        if i in by_id
    ]


def shared_lessons(session: Session, ids: Iterable[int]) -> dict[int, list[Lesson]]:
    found: dict[int, list[Lesson]] = {}
    for r in session.exec(
        select(Reflection)
        .where(col(Reflection.request_id).in_(list(ids)), Reflection.share == "network")
        .order_by(col(Reflection.created_at), col(Reflection.id))
    ).all():
        if not (r.worked or r.not_worked or r.will_apply):
            continue
        user = None if r.user_id.startswith(PURGED_PREFIX) else r.user_id
        found.setdefault(r.request_id, []).append(
            Lesson(user, r.worked, r.not_worked, r.will_apply)
        )
    return found


# --- experts ------------------------------------------------------------------------


def experts_for_topic(
    session_factory: SessionFactory, topic_key: str, *, city_key: str | None = None
) -> list[ExpertCount]:
    """Who acted as expert on `topic_key` (in an agreed exchange), most exchanges first."""
    with session_factory() as session:
        return _experts(session, [topic_key], city_key=city_key).get(topic_key, [])


def _topic_experts_of(session: Session, ids: list[int]) -> dict[str, list[ExpertCount]]:
    if not ids:
        return {}
    topics = session.exec(
        select(ExchangeRequest.topic_key).where(col(ExchangeRequest.id).in_(ids)).distinct()
    ).all()
    found: dict[str, list[ExpertCount]] = {}
    for topic in sorted(topics):
        experts = _experts(session, [topic], recent=TOPIC_RECENT).get(topic, [])
        if experts:
            found[topic] = experts[:EXPERTS_PER_TOPIC]
    return found


def _experts(
    session: Session,
    topic_keys: list[str],
    *,
    city_key: str | None = None,
    recent: int | None = None,
) -> dict[str, list[ExpertCount]]:
    """Experts per topic with their number of agreed exchanges (of the `recent` latest)."""
    exchanges = func.count(func.distinct(Expert.request_id))
    agreed = select(ExchangeRequest.id).where(
        col(ExchangeRequest.topic_key).in_(topic_keys),
        col(ExchangeRequest.status).in_(_SEARCHABLE),
    )
    if recent is not None:
        agreed = agreed.order_by(col(ExchangeRequest.date_from).desc()).limit(recent)
    statement = (
        select(ExchangeRequest.topic_key, Expert.city_key, Expert.user_id, exchanges)
        .join(ExchangeRequest, col(ExchangeRequest.id) == col(Expert.request_id))
        .where(
            col(Expert.request_id).in_(agreed.scalar_subquery()),
            col(Expert.user_id).not_like(f"{PURGED_PREFIX}%"),
        )
        .group_by(col(ExchangeRequest.topic_key), col(Expert.city_key), col(Expert.user_id))
        .order_by(exchanges.desc(), col(Expert.city_key), col(Expert.user_id))
    )
    if city_key is not None:
        statement = statement.where(Expert.city_key == city_key)
    found: dict[str, list[ExpertCount]] = {}
    for topic, city, user, n in session.exec(statement).all():
        found.setdefault(topic, []).append(ExpertCount(city, user, int(n)))
    return found
