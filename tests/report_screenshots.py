"""The report page's screenshots under docs/: a seeded year, in German and in English.

    python -m tests.report_screenshots [OUT_DIR]   (default: docs/)

Seeds a fresh SQLite database with a plausible network year (five cities, four topics,
about forty exchanges with reflections, budgets
and cost claims), renders the page exactly as
`cr-bot report --format html` does, and has headless Chromium (Debian's `chromium`)
take a screenshot of the whole page.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.infra.db import SessionFactory, make_engine, upgrade
from bot.render.browser import screenshot
from bot.render.report_html import report_html
from bot.usecases.report import yearly_report
from models import (
    Budget,
    City,
    CostClaim,
    ExchangeRequest,
    FollowUp,
    Network,
    Reflection,
    RequestPartner,
    Topic,
)

TZ = ZoneInfo("Europe/Berlin")
YEAR = 2026
CITIES = {
    "leipzig": "Leipzig",
    "bremen": "Bremen",
    "nuernberg": "Nürnberg",
    "dortmund": "Dortmund",
    "freiburg": "Freiburg",
}
TOPICS = {
    "wohnen": ("Wohnen", "Housing"),
    "mobilitaet": ("Mobilität", "Mobility"),
    "klima": ("Klimaanpassung", "Climate adaptation"),
    "beteiligung": ("Bürgerbeteiligung", "Citizen participation"),
}
FORMATS = ("workshop", "site_visit", "online", "bilateral", "public_event")
# Seasonal: fewer exchanges in the summer holidays and around Christmas.
MONTH_WEIGHTS = (2, 4, 5, 4, 5, 3, 1, 1, 5, 6, 4, 1)
LESSONS = [
    ("Die Begehung vor Ort hat mehr gezeigt als jede Präsentation.",
     "Wir laden die Bauaufsicht beim nächsten Mal von Anfang an ein."),
    ("Kleine Runde, konkrete Fälle: so kamen wir schnell zu Lösungen.",
     "Unsere Quartiersbeiräte arbeiten künftig mit denselben Leitfragen."),
    ("Der Austausch über Förderanträge hat uns ein halbes Jahr gespart.",
     "Die Vorlage für den Antrag übernehmen wir für 2027."),
    ("Offen über Fehler zu sprechen war der wertvollste Teil.",
     "Wir richten eine Sprechstunde für Nachbarstädte ein."),
]  # fmt: skip
SIZE = (1240, 4100)  # the page at 1240 px wide, tall enough for all of it


def seed_year(session_factory: SessionFactory, year: int = YEAR, *, seed: int = 16) -> None:
    """One network year, the same every time (a fixed random seed)."""
    rng = random.Random(seed)
    keys = list(CITIES)
    with session_factory.begin() as s:
        s.add(Network(name="koopstadt"))
        for key, name in CITIES.items():
            s.add(City(key=key, name=name))
        for key, (name, name_en) in TOPICS.items():
            s.add(Topic(key=key, name=name, name_en=name_en))
        # Leipzig and Bremen have budgets of their own; the others share the network's.
        for city, cents in (("", 2_000_000), ("leipzig", 1_200_000), ("bremen", 1_000_000)):
            s.add(Budget(year=year, city_key=city, amount_cents=cents))
        months = [m for m, w in enumerate(MONTH_WEIGHTS, start=1) for _ in range(w)]
        for n in range(41):
            own = rng.choice(keys[:4] if n % 3 else keys)
            partners = rng.sample([k for k in keys if k != own], 2 if n % 9 == 0 else 1)
            month = rng.choice(months)
            start = date(year, month, rng.randint(1, 28))
            fmt = rng.choices(FORMATS, weights=(5, 4, 3, 2, 1))[0]
            created = datetime(year, max(month - 2, 1), 3, 9, tzinfo=UTC)
            status = "completed" if start < date(year, 11, 15) else "approved"
            request = ExchangeRequest(
                title=f"Austausch {n}",
                question="Wie gehen andere Städte damit um?",
                topic_key=rng.choices(list(TOPICS), weights=(5, 4, 3, 2))[0],
                format=fmt,
                direction="online" if fmt == "online" else rng.choice(("visit", "invite")),
                own_city_key=own,
                date_from=start,
                date_to=start + timedelta(days=1),
                travellers=rng.randint(1, 4),
                cost_eur=Decimal(rng.randrange(200, 2400, 50)) if fmt != "online" else None,
                requester_id=f"U0REQ{n:03}",
                status=status,
                created_at=created,
                status_changed_at=created + timedelta(days=2),
                decided_by="U0LEI1",
                decided_at=created + timedelta(hours=rng.randint(3, 72)),
                completed_at=created + timedelta(days=40) if status == "completed" else None,
            )
            s.add(request)
            s.flush()
            assert request.id is not None
            for partner in partners:
                s.add(RequestPartner(request_id=request.id, city_key=partner))
            if status == "completed" and request.cost_eur is not None:
                claim_status = rng.choices(("paid", "checked", "claimed"), weights=(6, 2, 1))[0]
                estimate = int(request.cost_eur * 100)
                s.add(
                    CostClaim(
                        request_id=request.id,
                        status=claim_status,
                        amount_cents=estimate - rng.randrange(0, 8000, 500),
                        asked_at=created + timedelta(days=45),
                        updated_at=created + timedelta(days=50),
                    )
                )
            if status == "completed":
                for person in range(rng.randint(1, 2)):
                    lesson = LESSONS[n // 8 % len(LESSONS)] if person == 0 and n % 8 == 1 else None
                    s.add(
                        Reflection(
                            request_id=request.id,
                            user_id=f"U0REF{n:03}{person}",
                            rating=rng.choices((2, 3, 4, 5), weights=(1, 3, 6, 5))[0],
                            recommend=rng.random() < 0.85,
                            created_at=created + timedelta(days=45 + person),
                            worked=lesson[0] if lesson else None,
                            will_apply=lesson[1] if lesson else None,
                            share="network" if lesson else "report",
                        )
                    )
                if start < date(year, 10, 15):
                    answer = rng.choices(("yes", "partly", "not_yet"), weights=(5, 4, 2))[0]
                    s.add(
                        FollowUp(request_id=request.id, user_id=request.requester_id, answer=answer)
                    )
        # A few requests that did not become exchanges, for the status table.
        for n, status in enumerate(("submitted", "needs_info", "declined", "cancelled")):
            created = datetime(year, 11, 10 + n, 9, tzinfo=UTC)
            s.add(
                ExchangeRequest(
                    title=f"Offen {n}",
                    question="…",
                    topic_key="wohnen",
                    format="workshop",
                    direction="visit",
                    own_city_key="leipzig",
                    date_from=date(year + 1, 2, 1),
                    date_to=date(year + 1, 2, 1),
                    travellers=2,
                    requester_id=f"U0OPEN{n}",
                    status=status,
                    created_at=created,
                    status_changed_at=created,
                )
            )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/cr.db")
        upgrade(engine)
        factory = SessionFactory(engine)
        seed_year(factory)
        report = yearly_report(factory, YEAR, tz=TZ)
        engine.dispose()
    for lang in ("de", "en"):
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "report.html"
            text = report_html(report, lang, today=date(YEAR + 1, 1, 15))
            page.write_text(text, encoding="utf-8")
            shot = out / f"report-{YEAR}-{lang}.png"
            screenshot(page, shot.resolve(), size=SIZE)
        print(f"{shot} ({shot.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
