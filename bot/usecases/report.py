"""The yearly report: the numbers a network reports to its funders.

Built only from columns that survive `cr-bot purge` (keys, dates, numbers,
statuses), so a year's report is the same before and after old texts are removed.

Two bases, both in the report's notes:
- *requests* and *decisions* count what was filed in the year (`created_at` in the
  configured time zone);
- *exchanges* are approved requests (approved, matched or completed — not
  cancelled or declined) whose first day (`date_from`) lies in the year; travellers,
  costs, city pairs, topics, formats and reflections refer to them.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.db import SessionFactory
from bot.domain.states import Status
from bot.i18n import FORMATS, format_label
from models import City, ExchangeRequest, Network, Reflection, RequestPartner, Topic

EXCHANGE_STATUSES = (Status.APPROVED, Status.MATCHED, Status.COMPLETED)
RATINGS = (1, 2, 3, 4, 5)
K = TypeVar("K", str, tuple[str, str])

# Report texts, German first. Kept here until merged into bot/i18n_texts.py.
# fmt: off
REPORT_TEXTS: dict[str, dict[str, str]] = {
    "report.title": {"de": "C+R-Jahresbericht {year}", "en": "C+R annual report {year}"},
    "report.overview": {"de": "Überblick", "en": "Overview"},
    "report.metric": {"de": "Kennzahl", "en": "Metric"},
    "report.value": {"de": "Wert", "en": "Value"},
    "report.year": {"de": "Jahr", "en": "Year"},
    "report.requests_filed": {"de": "Anfragen gestellt", "en": "Requests filed"},
    "report.exchanges": {"de": "Austausche", "en": "Exchanges"},
    "report.travellers": {"de": "Reisende Personen", "en": "People travelling"},
    "report.cost": {"de": "Geschätzte Reisekosten (EUR)", "en": "Estimated travel costs (EUR)"},
    "report.with_cost": {"de": "Austausche mit Kostenschätzung",
                         "en": "Exchanges with a cost estimate"},
    "report.decisions": {"de": "Entscheidungen", "en": "Decisions"},
    "report.decision_median": {"de": "Entscheidungsdauer, Median (Stunden)",
                               "en": "Time to decision, median (hours)"},
    "report.reflections": {"de": "Reflexionen", "en": "Reflections"},
    "report.rating_mean": {"de": "Bewertung, Durchschnitt (1–5)", "en": "Rating, mean (1–5)"},
    "report.recommend": {"de": "Würden weiterempfehlen (%)", "en": "Would recommend (%)"},
    "report.by_status": {"de": "Anfragen nach Status", "en": "Requests by status"},
    "report.status": {"de": "Status", "en": "Status"},
    "report.requests": {"de": "Anfragen", "en": "Requests"},
    "report.by_pair": {"de": "Austausche nach Städtepaar", "en": "Exchanges by city pair"},
    "report.own_city": {"de": "Eigene Stadt", "en": "Own city"},
    "report.partner_city": {"de": "Partnerstadt", "en": "Partner city"},
    "report.by_topic": {"de": "Austausche nach Thema", "en": "Exchanges by topic"},
    "report.topic": {"de": "Thema", "en": "Topic"},
    "report.by_format": {"de": "Austausche nach Format", "en": "Exchanges by format"},
    "report.format": {"de": "Format", "en": "Format"},
    "report.ratings": {"de": "Bewertungen der Reflexionen", "en": "Reflection ratings"},
    "report.rating": {"de": "Bewertung", "en": "Rating"},
    "report.none": {"de": "keine", "en": "none"},
    "report.note": {
        "de": "Anfragen und Entscheidungen: gestellt {year} ({tz}). Austausche: genehmigte, "
              "benannte und abgeschlossene Anfragen mit Beginn {year}; ein Austausch mit "
              "mehreren Partnerstädten zählt bei jedem Städtepaar.",
        "en": "Requests and decisions: filed in {year} ({tz}). Exchanges: approved, matched "
              "and completed requests starting in {year}; an exchange with several partner "
              "cities counts for each city pair.",
    },
    "report.refused": {"de": ":no_entry: Den Jahresbericht sehen nur die Koordinator/innen "
                             "des Netzwerks.",
                       "en": ":no_entry: Only the network's coordinators can see the yearly "
                             "report."},
    "report.bad_year": {"de": "Bitte ein Jahr angeben, z. B. `/cr-request report {year}`.",
                        "en": "Please give a year, e.g. `/cr-request report {year}`."},
    "report.status.submitted": {"de": "eingereicht", "en": "submitted"},
    "report.status.needs_info": {"de": "Rückfrage offen", "en": "question pending"},
    "report.status.approved": {"de": "genehmigt", "en": "approved"},
    "report.status.matched": {"de": "Expert/innen benannt", "en": "experts named"},
    "report.status.declined": {"de": "abgelehnt", "en": "declined"},
    "report.status.cancelled": {"de": "zurückgezogen", "en": "cancelled"},
    "report.status.completed": {"de": "abgeschlossen", "en": "completed"},
}
# fmt: on


def rt(lang: str, key: str, **kw: object) -> str:
    """A report text in `lang` (German when missing)."""
    entry = REPORT_TEXTS[key]
    text = entry.get(lang) or entry["de"]
    return text.format(**kw) if kw else text


@dataclass
class Report:
    """One year in numbers. Keys (cities, topics, formats, statuses) plus their names."""

    year: int
    timezone: str
    network: str
    requests_filed: int
    requests_by_status: dict[str, int]  # every status, in life-cycle order
    exchanges: int
    by_city_pair: dict[tuple[str, str], int]  # (own city, partner city) -> exchanges
    by_topic: dict[str, int]
    by_format: dict[str, int]
    travellers: int
    cost_eur: Decimal
    exchanges_with_cost: int
    decisions: int  # requests filed in the year that were approved or declined
    decision_hours_median: float | None
    reflections: int
    ratings: dict[int, int]  # 1..5 -> reflections
    recommend_yes: int
    recommend_answered: int
    city_names: dict[str, str]
    topic_names: dict[str, str]
    topic_names_en: dict[str, str]

    @property
    def rating_mean(self) -> float | None:
        if not self.reflections:
            return None
        return sum(r * n for r, n in self.ratings.items()) / self.reflections

    @property
    def recommend_share(self) -> float | None:
        """Share (0–1) of those who answered the question that would recommend C+R."""
        return self.recommend_yes / self.recommend_answered if self.recommend_answered else None

    def city(self, key: str) -> str:
        return self.city_names.get(key, key)

    def topic(self, key: str, lang: str) -> str:
        if lang == "en" and key in self.topic_names_en:
            return self.topic_names_en[key]
        return self.topic_names.get(key, key)


def yearly_report(session_factory: SessionFactory, year: int, *, tz: ZoneInfo) -> Report:
    """Count `year` (requests filed in it, exchanges starting in it), read in one session."""
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    with session_factory() as session:
        filed = session.exec(
            select(
                ExchangeRequest.status, ExchangeRequest.created_at, ExchangeRequest.decided_at
            ).where(col(ExchangeRequest.created_at) >= start, col(ExchangeRequest.created_at) < end)
        ).all()
        exchanges = session.exec(
            select(
                ExchangeRequest.id,
                ExchangeRequest.own_city_key,
                ExchangeRequest.topic_key,
                ExchangeRequest.format,
                ExchangeRequest.travellers,
                ExchangeRequest.cost_eur,
            )
            .where(
                col(ExchangeRequest.status).in_(EXCHANGE_STATUSES),
                col(ExchangeRequest.decided_by).is_not(None),
                col(ExchangeRequest.date_from) >= date(year, 1, 1),
                col(ExchangeRequest.date_from) <= date(year, 12, 31),
            )
            .order_by(col(ExchangeRequest.id))
        ).all()
        ids = [row[0] for row in exchanges]
        partners = session.exec(
            select(RequestPartner.request_id, RequestPartner.city_key)
            .where(col(RequestPartner.request_id).in_(ids))
            .order_by(col(RequestPartner.request_id), col(RequestPartner.city_key))
        ).all()
        reflections = session.exec(
            select(Reflection.rating, Reflection.recommend).where(
                col(Reflection.request_id).in_(ids)
            )
        ).all()
        network = session.get(Network, 1)
        cities = session.exec(select(City.key, City.name)).all()
        topics = session.exec(select(Topic.key, Topic.name, Topic.name_en)).all()

    by_status = Counter(status for status, _, _ in filed)
    decision_hours = [
        (decided - created).total_seconds() / 3600
        for _, created, decided in filed
        if decided is not None
    ]
    own_city = {row[0]: row[1] for row in exchanges}
    pairs = Counter((own_city[request_id], city) for request_id, city in partners)
    costs = [row[5] for row in exchanges if row[5] is not None]
    ratings = Counter(rating for rating, _ in reflections)
    answered = [recommend for _, recommend in reflections if recommend is not None]
    return Report(
        year=year,
        timezone=str(tz),
        network=network.name if network else "",
        requests_filed=len(filed),
        requests_by_status={s.value: by_status.get(s.value, 0) for s in Status},
        exchanges=len(exchanges),
        by_city_pair=_ranked(pairs),
        by_topic=_ranked(Counter(row[2] for row in exchanges)),
        by_format=_ranked(Counter(row[3] for row in exchanges)),
        travellers=sum(row[4] for row in exchanges),
        cost_eur=sum(costs, Decimal("0")).quantize(Decimal("0.01")),
        exchanges_with_cost=len(costs),
        decisions=len(decision_hours),
        decision_hours_median=(
            round(statistics.median(decision_hours), 2) if decision_hours else None
        ),
        reflections=len(reflections),
        ratings={r: ratings.get(r, 0) for r in RATINGS},
        recommend_yes=sum(1 for a in answered if a),
        recommend_answered=len(answered),
        city_names=dict(cities),
        topic_names={key: name for key, name, _ in topics},
        topic_names_en={key: name_en for key, _, name_en in topics if name_en},
    )


def _ranked(counts: Counter[K]) -> dict[K, int]:
    """Most first; ties in key order, so every rendering is stable."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# --- rendering -----------------------------------------------------------------


def status_name(status: str, lang: str) -> str:
    key = f"report.status.{status}"
    return rt(lang, key) if key in REPORT_TEXTS else status


def format_name(key: str, lang: str) -> str:
    return format_label(key, lang) if key in FORMATS else key


def number(value: float | Decimal | None, places: int, *, comma: bool) -> str:
    """Fixed decimals, no thousands separator (spreadsheets read it as a number)."""
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if comma else text


def overview_rows(report: Report, lang: str, *, comma: bool) -> list[tuple[str, str]]:
    """(label, value) of the headline numbers, shared by every rendering."""
    share = report.recommend_share
    return [
        (rt(lang, "report.requests_filed"), str(report.requests_filed)),
        (rt(lang, "report.exchanges"), str(report.exchanges)),
        (rt(lang, "report.travellers"), str(report.travellers)),
        (rt(lang, "report.cost"), number(report.cost_eur, 2, comma=comma)),
        (rt(lang, "report.with_cost"), str(report.exchanges_with_cost)),
        (rt(lang, "report.decisions"), str(report.decisions)),
        (
            rt(lang, "report.decision_median"),
            number(report.decision_hours_median, 1, comma=comma),
        ),
        (rt(lang, "report.reflections"), str(report.reflections)),
        (rt(lang, "report.rating_mean"), number(report.rating_mean, 2, comma=comma)),
        (
            rt(lang, "report.recommend"),
            number(None if share is None else share * 100, 1, comma=comma),
        ),
    ]


def tables(report: Report, lang: str) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """(title, header, rows) of every breakdown, shared by CSV, Markdown and Slack."""
    return [
        (
            rt(lang, "report.by_status"),
            (rt(lang, "report.status"), rt(lang, "report.requests")),
            [(status_name(s, lang), str(n)) for s, n in report.requests_by_status.items()],
        ),
        (
            rt(lang, "report.by_pair"),
            (
                rt(lang, "report.own_city"),
                rt(lang, "report.partner_city"),
                rt(lang, "report.exchanges"),
            ),
            [(report.city(a), report.city(b), str(n)) for (a, b), n in report.by_city_pair.items()],
        ),
        (
            rt(lang, "report.by_topic"),
            (rt(lang, "report.topic"), rt(lang, "report.exchanges")),
            [(report.topic(k, lang), str(n)) for k, n in report.by_topic.items()],
        ),
        (
            rt(lang, "report.by_format"),
            (rt(lang, "report.format"), rt(lang, "report.exchanges")),
            [(format_name(k, lang), str(n)) for k, n in report.by_format.items()],
        ),
        (
            rt(lang, "report.ratings"),
            (rt(lang, "report.rating"), rt(lang, "report.reflections")),
            [(str(r), str(n)) for r, n in report.ratings.items()],
        ),
    ]


def report_csv(report: Report, *, separator: str = ";") -> str:
    """German CSV: per table a title row, a header row, the rows, then an empty row.

    With ";" numbers use a decimal comma (German spreadsheets); with "," a point.
    The CLI writes it to files as UTF-8 with BOM so Excel detects the encoding.
    """
    comma = separator == ";"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([rt("de", "report.title", year=report.year)])
    writer.writerow([rt("de", "report.note", year=report.year, tz=report.timezone)])
    writer.writerow([])
    writer.writerow([rt("de", "report.overview")])
    writer.writerow([rt("de", "report.metric"), rt("de", "report.value")])
    writer.writerow([rt("de", "report.year"), str(report.year)])
    writer.writerows(overview_rows(report, "de", comma=comma))
    for title, header, rows in tables(report, "de"):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue()


def report_markdown(report: Report, lang: str = "de") -> str:
    """Headings and tables; numbers the way `lang` writes them."""
    comma = lang != "en"
    title = rt(lang, "report.title", year=report.year)
    lines = [f"# {title}" + (f" – {_md(report.network)}" if report.network else ""), ""]
    lines += [rt(lang, "report.note", year=report.year, tz=report.timezone), ""]
    lines += [f"## {rt(lang, 'report.overview')}", ""]
    overview = [(label, value or "–") for label, value in overview_rows(report, lang, comma=comma)]
    lines += _md_table((rt(lang, "report.metric"), rt(lang, "report.value")), overview)
    for table_title, header, rows in tables(report, lang):
        lines += ["", f"## {table_title}", ""]
        lines += _md_table(header, rows) if rows else [f"_{rt(lang, 'report.none')}_"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    # The last column holds the numbers: right-aligned.
    align = ["---"] * (len(header) - 1) + ["---:"]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines
