"""Home tab and digest at scale: many stored requests, the build timed, the query plans shown.

Rows go in with bulk core inserts (statuses and dates spread over five years); the
queries a build runs are captured and explained, to show which use an index.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import Engine, event, insert, text

from bot.domain.request import DIRECTIONS, FORMATS
from bot.domain.search import index_terms
from bot.infra.db import SessionFactory
from bot.infra.settings import Settings
from models import (
    ActionMessage,
    ExchangeRequest,
    Expert,
    Reflection,
    RequestPartner,
    SearchDocument,
)
from tests.bench.load import percentile
from tests.payloads import SIGNING_SECRET

HOME_USER = "U0LEI1"  # files many requests, and decides on every Leipzig request
CONTACTS = {"bremen": ("U0BRE1",), "leipzig": ("U0LEI1", "U0LEI2"), "nuernberg": ("U0NUE1",)}
STATUSES = (
    ("submitted", 5), ("needs_info", 3), ("approved", 10), ("matched", 10),
    ("declined", 10), ("cancelled", 7), ("completed", 55),
)  # fmt: skip
BIG_TABLES = ("exchange_request", "request_partner", "action_message", "expert", "audit_entry",
              "outbox_message", "reminder_sent", "reflection", "search_document")  # fmt: skip
# What the stored requests are about: each title takes one, so a search word matches 1 in 20.
SUBJECTS = (
    "Mobilitätsstationen im Quartier", "Quartiersschulen gemeinsam planen", "Wohnungsbau am Fluss",
    "Bürgerbeteiligung digital", "Radverkehr an Kreuzungen", "Stadtteilzentren beleben",
    "Klimaanpassung im Bestand", "Grünflächen pflegen", "Leerstand nutzen", "Baugruppen fördern",
    "Lärmschutz an Straßen", "Spielplätze planen", "Sozialer Wohnungsbau", "Jugendbeteiligung",
    "Hitzeschutz in Schulen", "Parken im Quartier", "Innenstadt nach dem Handel",
    "Energetische Sanierung", "Nachbarschaftshilfe", "Zwischennutzung von Brachen",
)  # fmt: skip
CITY_NAMES = {"bremen": "Bremen", "leipzig": "Leipzig", "nuernberg": "Nürnberg"}
SEARCH_WORDS = "Mobilitätsstation"  # matches the first subject (its plural): 1 in 20
CHUNK = 5_000


@dataclass
class Build:
    """One build measured: its timings, and the plans of the queries it ran."""

    name: str
    available: str = ""  # why it could not be measured, or "" when it was
    seconds: list[float] = field(default_factory=list)
    plans: list[tuple[str, list[str]]] = field(default_factory=list)
    full_scans: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return percentile(self.seconds, 50)

    @property
    def p99(self) -> float:
        return percentile(self.seconds, 99)

    @property
    def worst(self) -> float:
        return max(self.seconds, default=float("nan"))


def fill(engine: Engine, rows: int, *, seed: int = 7) -> float:
    """Insert `rows` requests (and partners, open decision messages, experts); seconds taken."""
    rng = random.Random(seed)
    started = time.monotonic()
    now = datetime.now(UTC)
    with engine.connect() as conn:
        first = int(
            conn.execute(text("SELECT coalesce(max(id), 0) FROM exchange_request")).one()[0]
        )
    cities = list(CONTACTS)
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    for start in range(0, rows, CHUNK):
        requests, partners, messages, experts, documents, lessons = [], [], [], [], [], []
        for n in range(start, min(rows, start + CHUNK)):
            request_id = first + 1 + n
            created = now - timedelta(seconds=rng.randrange(5 * 365 * 86400))
            status = rng.choices(statuses, weights)[0]
            own = rng.choice(cities)
            day = (created + timedelta(days=rng.randrange(10, 120))).date()
            decided = status not in ("submitted", "needs_info", "cancelled")
            requester = HOME_USER if n % 100 == 0 else f"U0S{n % 2000:05d}"
            requests.append(
                {
                    "id": request_id,
                    "title": f"{SUBJECTS[request_id % len(SUBJECTS)]} {request_id}",
                    "question": "Wie habt ihr das gemacht? " * 4,
                    "topic_key": rng.choice(("wohnen", "mobilitaet")),
                    "format": rng.choice(FORMATS),
                    "direction": rng.choice(DIRECTIONS),
                    "own_city_key": own,
                    "date_from": day,
                    "date_to": day + timedelta(days=rng.randrange(0, 4)),
                    "travellers": rng.randrange(1, 6),
                    "cost_eur": Decimal(rng.randrange(0, 2000)),
                    "requester_id": requester,
                    "status": status,
                    "version": 1 if status == "submitted" else 2,
                    "locale": "de",
                    "submission_key": None,
                    "created_at": created,
                    "status_changed_at": created + timedelta(days=1),
                    "decided_at": created + timedelta(days=1) if decided else None,
                    "decided_by": CONTACTS[own][0] if decided else None,
                    "decision_comment": None,
                    "completed_at": None,
                    "purged_at": None,
                }
            )
            partner = rng.choice([c for c in cities if c != own])
            partners.append({"request_id": request_id, "city_key": partner})
            title, topic = requests[-1]["title"], requests[-1]["topic_key"]
            body = f"{title}\nWie habt ihr das gemacht?\n{topic}\n{CITY_NAMES[own]}\n"
            body += CITY_NAMES[partner]
            documents.append(
                {"request_id": request_id, "body": body, "terms": index_terms(body),
                 "updated_at": now}
            )  # fmt: skip
            if status == "submitted":
                for user in CONTACTS[own]:
                    messages.append(
                        {"request_id": request_id, "kind": "decision", "user_id": user,
                         "city_key": "", "round": 1, "channel": "D0", "ts": f"1.{n}",
                         "closed": False}
                    )  # fmt: skip
            if status in ("matched", "completed"):
                experts.append(
                    {"request_id": request_id, "city_key": partner, "user_id": f"U0X{n % 500:04d}",
                     "named_by": CONTACTS[partner][0], "note": None, "named_at": created}
                )  # fmt: skip
            if status == "completed" and n % 10 == 0:  # a lesson shared with the network
                lessons.append(
                    {"request_id": request_id, "user_id": requester, "worked": "Vor Ort sehen",
                     "not_worked": None, "recommend": True, "rating": 4, "created_at": created,
                     "will_apply": "Standorte gemeinsam wählen", "share": "network",
                     "posted_at": created}
                )  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(ExchangeRequest.__table__), requests)  # type: ignore[attr-defined]
            conn.execute(insert(RequestPartner.__table__), partners)  # type: ignore[attr-defined]
            if messages:
                conn.execute(insert(ActionMessage.__table__), messages)  # type: ignore[attr-defined]
            if experts:
                conn.execute(insert(Expert.__table__), experts)  # type: ignore[attr-defined]
            conn.execute(insert(SearchDocument.__table__), documents)  # type: ignore[attr-defined]
            if lessons:
                conn.execute(insert(Reflection.__table__), lessons)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("exchange_request", "action_message", "expert"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    # Fresh statistics, as autovacuum (PostgreSQL) or `ANALYZE` would keep them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.monotonic() - started


def home_builder(session_factory: SessionFactory) -> Callable[[], None] | str:
    """The Home tab of HOME_USER, rendered as the listener and the outbox publish it."""
    from bot.slack.listeners import home
    from bot.slack.services import Services
    from models.types import utcnow

    render = getattr(home, "render_home", None)  # (services, user) -> the view
    if render is None:
        return "n/a (not built yet: bot.slack.listeners.home.render_home)"
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    )
    client = WebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/")  # never called
    services = Services(
        settings=settings, session_factory=session_factory, client=client, clock=utcnow
    )
    services.refresh_directory()
    return lambda: render(services, HOME_USER)


def digest_builder(session_factory: SessionFactory) -> Callable[[], None] | str:
    """The channel digest's content: `build_digest`, then its messages (Block Kit)."""
    try:
        from bot.slack.digest import digest_messages
        from bot.usecases.digest import build_digest
        from bot.usecases.directory import load_directory
    except ImportError as exc:
        return f"n/a (not built yet: {exc})"
    directory = load_directory(session_factory)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()

    def build() -> None:
        digest_messages(build_digest(session_factory, today=today), directory, "de")

    return build


def search_builder(session_factory: SessionFactory) -> Callable[[], None] | str:
    """A search as `/cr-request suche` runs it: the first page, rendered (Block Kit)."""
    try:
        from bot.slack.search import search_message
        from bot.usecases.directory import load_directory
        from bot.usecases.search import search
    except ImportError as exc:
        return f"n/a (not built yet: {exc})"
    directory = load_directory(session_factory)

    def build() -> None:
        found = search(session_factory, "U0S00042", SEARCH_WORDS)
        assert len(found.hits) == 10 and found.more, "the search found too little"
        search_message(found, directory, "de")

    return build


Builder = Callable[[SessionFactory], Callable[[], None] | str]


def measure(engine: Engine, name: str, make: Builder, *, repeats: int) -> Build:
    """Time `repeats` builds after one warm-up; explain the queries of the warm-up."""
    result = Build(name)
    built = make(SessionFactory(engine))
    if isinstance(built, str):
        result.available = built
        return result
    statements: dict[str, Any] = {}

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool):
        if not many and statement.lstrip().upper().startswith("SELECT"):
            statements.setdefault(statement, params)

    try:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            built()  # the warm-up, whose queries are explained
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        for _ in range(repeats):
            started = time.perf_counter()
            built()
            result.seconds.append(time.perf_counter() - started)
    except Exception as exc:  # the code under test is still being written: say so, go on
        result.available = f"n/a (build failed: {type(exc).__name__}: {exc})"
        return result
    result.plans = [(s, explain(engine, s, p)) for s, p in statements.items()]
    for statement, plan in result.plans:
        result.full_scans += [f"{line} ({_one_line(statement)}…)" for line in full_scans(plan)]
    return result


def explain(engine: Engine, statement: str, params: Any) -> list[str]:
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
    return [str(row[3]) if sqlite else str(row[0]) for row in rows]


def full_scans(plan: list[str]) -> list[str]:
    """Plan lines that read a whole big table (or a whole index of it)."""
    pattern = re.compile(
        r"^\s*(?:->\s*)?(?:SCAN|Seq Scan on|Parallel Seq Scan on)\s+(\w+)", re.IGNORECASE
    )
    found = []
    for line in plan:
        match = pattern.search(line)
        if match and match.group(1) in BIG_TABLES:
            found.append(line.strip())
    return found


def _one_line(statement: str) -> str:
    return " ".join(statement.split())[:60]
