"""The yearly report as one self-contained HTML page for funders (and, printed, a PDF).

Headline numbers, charts (inline SVG from `bot.render.charts`) and the tables behind
them, in the network's language with German number and date formats. The page loads
nothing: no scripts, no web fonts, no images from elsewhere. Jinja2 renders it with
autoescape on, so every name typed into the directory or Slack arrives as text.

The budget section shows `Report.budget_rows` once the directory has a budget for the year
(else it says there is none); the follow-up answers (`Report.follow_ups`) and the lessons
shared with the network (`Report.lessons_shared`) show only when there are some.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from bot.render import charts
from bot.render.charts import count, euros
from bot.render.report import format_name, status_name, unit_for
from bot.texts import fmt_decimal, fmt_long_date, fmt_percent, has_text, supported, t
from bot.texts import month_name as month_abbr
from bot.usecases.report import Report

_ENV = Environment(
    loader=PackageLoader("bot", "render/templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Headline:
    key: str  # for tests and styling: exchanges, people, cities, topics, budget, cost
    label: str
    value: str
    detail: str = ""
    alert: bool = False  # drawn as a warning (an overspent budget)


def long_date(day: date, lang: str) -> str:
    """1. Dezember 2026 / 1 December 2026."""
    return fmt_long_date(day, lang)


def month_name(month: int, lang: str) -> str:
    return month_abbr(month, lang, wide=True)


def decimal(value: float | Decimal | None, places: int, lang: str) -> str:
    """2,5 / 2.5; "–" when there is nothing to show."""
    return fmt_decimal(value, places, lang)


def percent(share: float | None, lang: str) -> str:
    return fmt_percent(share, lang)


def cities(report: Report) -> list[str]:
    """Cities with an exchange this year (asking or partner)."""
    return charts.pair_cities(report)


BudgetLine = tuple[str, Decimal | None, Decimal, Decimal]  # name, budget, committed, paid


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def budget_lines(report: Report, lang: str) -> list[BudgetLine]:
    """Per city, then the network's budget (shared by the cities without one of their own):
    budget (None: the city shares the network's), committed (claimed where claimed, else
    the estimate) and paid, in euros. Empty when no budget is known for the year."""
    if all(row.budget_cents is None for row in report.budget_rows):
        return []
    return [
        (
            report.city(row.city)
            if row.city
            else t(lang, "report.network_budget", network=report.network),
            _euros(row.budget_cents),
            Decimal(row.committed_cents) / 100,
            Decimal(row.paid_cents) / 100,
        )
        for row in report.budget_rows
    ]


def budget_totals(report: Report) -> tuple[Decimal | None, Decimal, Decimal]:
    """All budgets, and what the cities committed and were paid (the network's row sums
    cities already counted)."""
    budgets = [row.budget_cents for row in report.budget_rows if row.budget_cents is not None]
    cities_rows = [row for row in report.budget_rows if row.city]
    return (
        Decimal(sum(budgets)) / 100 if budgets else None,
        Decimal(sum(row.committed_cents for row in cities_rows)) / 100,
        Decimal(sum(row.paid_cents for row in cities_rows)) / 100,
    )


def headlines(report: Report, lang: str) -> list[Headline]:
    items = [
        Headline("exchanges", t(lang, "page.h.exchanges"), count(report.exchanges, lang)),
        Headline("people", t(lang, "page.h.people"), count(report.travellers, lang)),
        Headline("cities", t(lang, "page.h.cities"), count(len(cities(report)), lang)),
        Headline("topics", t(lang, "page.h.topics"), count(len(report.by_topic), lang)),
    ]
    budget, committed, paid = budget_totals(report)
    if budget:
        # Committed (claimed, else estimated) as a share of the budget, with what is paid;
        # beyond the budget the card says by how much, as overspent.
        over = committed > budget
        key = "page.h.budget_overspent" if over else "page.h.budget_committed"
        amounts = {
            "committed": euros(committed, lang, cents=False),
            "paid": euros(paid, lang, cents=False),
            "budget": euros(budget, lang, cents=False),
            "over": euros(committed - budget, lang, cents=False),
        }
        items.append(
            Headline(
                "budget",
                t(lang, key),
                percent(float(committed / budget), lang),
                t(lang, f"{key}_of", **amounts),
                alert=over,
            )
        )
    else:
        items.append(
            Headline("cost", t(lang, "page.h.cost"), euros(report.cost_eur, lang, cents=False))
        )
    return items


def overview(report: Report, lang: str) -> list[tuple[str, str]]:
    """The CSV's overview rows, in the page's number formats."""
    share = report.recommend_share
    return [
        (t(lang, "report.requests_filed"), count(report.requests_filed, lang)),
        (t(lang, "report.exchanges"), count(report.exchanges, lang)),
        (t(lang, "report.lapsed"), count(report.lapsed, lang)),
        (t(lang, "report.travellers"), count(report.travellers, lang)),
        (unit_for(t(lang, "report.cost"), True), euros(report.cost_eur, lang)),
        (t(lang, "report.with_cost"), count(report.exchanges_with_cost, lang)),
        (t(lang, "report.decisions"), count(report.decisions, lang)),
        (t(lang, "report.decision_median"), decimal(report.decision_hours_median, 1, lang)),
        (t(lang, "report.reflections"), count(report.reflections, lang)),
        (t(lang, "report.rating_mean"), decimal(report.rating_mean, 2, lang)),
        (
            t(lang, "report.recommend"),
            decimal(None if share is None else share * 100, 1, lang),
        ),
    ]


def mutual_pairs(report: Report) -> list[tuple[str, str]]:
    """City pairs with exchanges both ways, each pair once (by name)."""
    found = []
    for own, partner in report.by_city_pair:
        if (partner, own) in report.by_city_pair:
            a, b = sorted((report.city(own), report.city(partner)), key=str.casefold)
            if (a, b) not in found:
                found.append((a, b))
    return sorted(found, key=lambda pair: (pair[0].casefold(), pair[1].casefold()))


def mutual_text(report: Report, lang: str) -> str:
    """Which pairs went both ways: named when few, else counted."""
    mutual = mutual_pairs(report)
    if not mutual:
        return ""
    if len(mutual) <= 4:
        return t(lang, "page.pairs.mutual", pairs=", ".join(f"{a} ⇄ {b}" for a, b in mutual))
    total = len({frozenset(pair) for pair in report.by_city_pair})
    return t(lang, "page.pairs.mutual_n", n=count(len(mutual), lang), total=count(total, lang))


def followup_label(answer: str, lang: str) -> str:
    key = f"page.followup.{answer}"
    return t(lang, key) if has_text(key) else answer


def report_html(report: Report, lang: str, *, today: date) -> str:
    """The page; `today` is the "as of" date."""
    lang = supported(lang)
    money = budget_lines(report, lang)
    title = t(lang, "report.title", year=report.year)
    has_exchanges = report.exchanges > 0
    topic_rows = [(report.topic(k, lang), n) for k, n in report.by_topic.items()]
    format_rows = [(format_name(k, lang), n) for k, n in report.by_format.items()]
    exchanges_label = t(lang, "report.exchanges")
    chart = {
        "months": charts.svg(charts.months_chart(report, lang)),
        "pairs": charts.svg(charts.pairs_chart(report, lang)) if report.by_city_pair else "",
        "topics": (
            charts.svg(charts.bars_chart(topic_rows, lang, label=exchanges_label))
            if topic_rows
            else ""
        ),
        "formats": (
            charts.svg(charts.bars_chart(format_rows, lang, label=exchanges_label))
            if format_rows
            else ""
        ),
        "ratings": charts.svg(charts.ratings_chart(report, lang)) if report.reflections else "",
        "budget": charts.svg(charts.budget_chart(money, lang)) if money else "",
        "followup": (
            charts.svg(
                charts.bars_chart(
                    [(followup_label(k, lang), n) for k, n in report.follow_ups.items()],
                    lang,
                    label=t(lang, "page.followup.people"),
                )
            )
            if any(report.follow_ups.values())
            else ""
        ),
    }
    pair_cities = cities(report)
    matrix = [
        (report.city(own), [report.by_city_pair.get((own, other), 0) for other in pair_cities])
        for own in pair_cities
    ]
    budget, committed, paid = budget_totals(report)
    return _ENV.get_template("report.html").render(
        lang=lang,
        t=lambda key, **kw: t(lang, key, **kw),
        count=lambda n: count(n, lang),
        euros=lambda amount: "–" if amount is None else euros(amount, lang),
        title=title,
        network=report.network,
        report=report,
        as_of=long_date(today, lang),
        headlines=headlines(report, lang),
        charts={name: Markup(svg) for name, svg in chart.items()},
        has_exchanges=has_exchanges,
        months=[
            (month_abbr(m, lang), n)
            for m, n in (report.by_month or dict.fromkeys(range(1, 13), 0)).items()
        ],
        pair_names=[report.city(city) for city in pair_cities],
        matrix=matrix,
        mutual=mutual_text(report, lang),
        topics=topic_rows,
        formats=format_rows,
        statuses=[(status_name(s, lang), n) for s, n in report.requests_by_status.items()],
        ratings=list(report.ratings.items()),
        ratings_note=t(
            lang,
            "page.ratings.note",
            n=count(report.reflections, lang),
            mean=decimal(report.rating_mean, 1, lang),
            share=percent(report.recommend_share, lang),
        ),
        budget_rows=money,
        budget_total=(budget, committed, paid),
        followup=(
            [(followup_label(k, lang), n) for k, n in report.follow_ups.items()]
            if any(report.follow_ups.values())
            else []
        ),
        lessons=[(report.city(city), text) for city, text in report.lessons_shared],
        overview=overview(report, lang),
        note=t(lang, "report.note", year=report.year, tz=report.timezone),
    )
