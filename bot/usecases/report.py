"""The yearly report: the numbers a network reports to its funders.

Built only from columns that survive `cr-bot purge` (keys, dates, numbers,
statuses), so a year's report is the same before and after old texts are removed.

Two bases, both in the report's notes:
- *requests* and *decisions* count what was filed in the year (`created_at` in the
  configured time zone);
- *exchanges* are exchanges that took place: matched (every partner city's experts
  named, or a lapsed one a coordinator marked as having taken place after all, decided or
  not) or completed, with their last day (`date_to`) passed and their first
  day (`date_from`) in the year; travellers (nobody for online exchanges), costs, city
  pairs, topics, formats and reflections refer to them. Lapsed requests (not ready on
  their first day), cancelled and declined ones are not exchanges; the lapsed ones of
  the year are a line of their own. The budget rows count every agreed exchange of the
  year (approved, matched, completed), upcoming ones too: their money is committed.

Numbers only: `bot.render.report` words them as CSV and Markdown, and
`bot.slack.report_message` as a Slack message.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.domain import rules
from bot.domain.budget import NETWORK, to_cents
from bot.domain.request import travelling
from bot.domain.states import Status
from bot.infra.db import SessionFactory
from bot.usecases.budget import CLAIMED
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

RATINGS = (1, 2, 3, 4, 5)
K = TypeVar("K", str, tuple[str, str])


@dataclass(frozen=True)
class BudgetRow:
    """One city's (or, `city` "", the network's) money of a year, in cents: its own budget
    (None: it shares the network's), the estimates of its exchanges, what was claimed,
    checked and paid of it, and what remains of its budget (committed: the claimed amount
    where claimed, else the estimate)."""

    city: str
    budget_cents: int | None
    estimated_cents: int
    claimed_cents: int
    checked_cents: int
    paid_cents: int
    committed_cents: int

    @property
    def remaining_cents(self) -> int | None:
        return None if self.budget_cents is None else self.budget_cents - self.committed_cents


@dataclass
class Report:
    """One year in numbers. Keys (cities, topics, formats, statuses) plus their names."""

    year: int
    timezone: str
    network: str
    requests_filed: int
    requests_by_status: dict[str, int]  # every status, in life-cycle order
    exchanges: int  # took place (see the module's docstring)
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
    # Day 45 ("Haben Sie etwas davon umgesetzt?"): yes / partly / not_yet -> answers.
    follow_ups: dict[str, int] = field(default_factory=dict)
    # Reflections by who may read them: report / participants / network.
    shared: dict[str, int] = field(default_factory=dict)
    # The travel budget per city (and the network's), in cents.
    budget_rows: list[BudgetRow] = field(default_factory=list)
    # Exchanges by the month (1–12) of their first day; the page's chart per month.
    by_month: dict[int, int] = field(default_factory=dict)
    # (own city key, lesson) of reflections shared with the network, oldest first.
    lessons_shared: list[tuple[str, str]] = field(default_factory=list)
    # Requests of the year that did not take place: not ready on their first day.
    lapsed: int = 0

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
        """The topic's name in `lang` where the directory has one (English), else its name."""
        by_lang = {"en": self.topic_names_en}
        return by_lang.get(lang, {}).get(key) or self.topic_names.get(key, key)


def yearly_report(
    session_factory: SessionFactory, year: int, *, tz: ZoneInfo, today: date | None = None
) -> Report:
    """Count `year` (requests filed in it, exchanges starting in it), read in one session.

    `today`: exchanges count once their last day is before it (None: as if every date had
    passed)."""
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    with session_factory() as session:
        filed = session.exec(
            select(
                ExchangeRequest.status, ExchangeRequest.created_at, ExchangeRequest.decided_at
            ).where(col(ExchangeRequest.created_at) >= start, col(ExchangeRequest.created_at) < end)
        ).all()
        # sqlmodel types select() for at most four columns; these seven are fine at run time.
        agreed = session.exec(
            select(  # type: ignore[call-overload]
                ExchangeRequest.id,
                ExchangeRequest.own_city_key,
                ExchangeRequest.topic_key,
                ExchangeRequest.format,
                ExchangeRequest.travellers,
                ExchangeRequest.cost_eur,
                ExchangeRequest.direction,
                ExchangeRequest.status,
                ExchangeRequest.date_to,
            )
            .where(
                # Agreed by its city's decision, or (a lapsed request that took place after
                # all, maybe never decided) recorded so by a coordinator.
                col(ExchangeRequest.status).in_(rules.AGREED),
                col(ExchangeRequest.date_from) >= date(year, 1, 1),
                col(ExchangeRequest.date_from) <= date(year, 12, 31),
            )
            .order_by(col(ExchangeRequest.id))
        ).all()
        exchanges = [
            row
            for row in agreed
            if row[7] in rules.TOOK_PLACE and (today is None or row[8] < today)
        ]
        lapsed = session.exec(
            select(col(ExchangeRequest.id)).where(
                ExchangeRequest.status == Status.LAPSED,
                col(ExchangeRequest.date_from) >= date(year, 1, 1),
                col(ExchangeRequest.date_from) <= date(year, 12, 31),
            )
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
        shares = session.exec(
            select(Reflection.share).where(col(Reflection.request_id).in_(ids))
        ).all()
        follow_ups = session.exec(
            select(FollowUp.answer).where(col(FollowUp.request_id).in_(ids))
        ).all()
        claims = session.exec(
            select(CostClaim.request_id, CostClaim.status, CostClaim.amount_cents).where(
                col(CostClaim.request_id).in_([row[0] for row in agreed])
            )
        ).all()
        budgets = session.exec(
            select(Budget.city_key, Budget.amount_cents).where(
                Budget.year == year, col(Budget.active)
            )
        ).all()
        lessons = session.exec(
            select(Reflection.request_id, Reflection.worked, Reflection.will_apply, Reflection.id)
            .where(col(Reflection.request_id).in_(ids), Reflection.share == "network")
            .order_by(col(Reflection.created_at), col(Reflection.id))
        ).all()
        starts = session.exec(
            select(col(ExchangeRequest.date_from)).where(col(ExchangeRequest.id).in_(ids))
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
        # Online exchanges count nobody as travelling, whatever number was typed.
        travellers=sum(travelling(row[4], row[3], row[6]) for row in exchanges),
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
        follow_ups={a: follow_ups.count(a) for a in ("yes", "partly", "not_yet")},
        shared={k: shares.count(k) for k in rules.SHARE_CHOICES},
        lapsed=len(lapsed),
        budget_rows=_budget_rows(
            [(row[0], row[1], row[5]) for row in agreed],
            {request_id: (status, cents) for request_id, status, cents in claims},
            dict(budgets),
            {key: name for key, name in cities},
        ),
        by_month=_per_month(starts),
        lessons_shared=[
            (own_city[request_id], " – ".join(part for part in (worked, will_apply) if part))
            for request_id, worked, will_apply, _ in lessons
            if worked or will_apply
        ],
    )


def _per_month(starts: Sequence[date | None]) -> dict[int, int]:
    """Every month 1–12, in order, with the exchanges starting in it."""
    months = Counter(start.month for start in starts if start is not None)
    return {month: months.get(month, 0) for month in range(1, 13)}


def _budget_rows(
    exchanges: list[tuple[int, str, Decimal | None]],
    claims: dict[int, tuple[str, int | None]],
    budgets: dict[str, int],
    names: dict[str, str],
) -> list[BudgetRow]:
    """Per city with exchanges or a share of its own (by name), then the network's budget
    over the cities without a share."""
    sums: dict[str, list[int]] = {}  # city -> estimated, claimed, checked, paid, committed
    for request_id, city, estimate in exchanges:
        estimated = to_cents(estimate) or 0
        status, claimed = claims.get(request_id, ("", None))
        claimed_cents = (claimed or 0) if status in CLAIMED else 0
        row = sums.setdefault(city, [0, 0, 0, 0, 0])
        row[0] += estimated
        row[1] += claimed_cents
        row[2] += claimed_cents if status in ("checked", "paid") else 0
        row[3] += claimed_cents if status == "paid" else 0
        row[4] += claimed_cents if status in CLAIMED and claimed is not None else estimated
    for city in budgets:
        if city:
            sums.setdefault(city, [0, 0, 0, 0, 0])
    rows = [
        BudgetRow(city, budgets.get(city), *values)
        for city, values in sorted(sums.items(), key=lambda item: names.get(item[0], item[0]))
    ]
    if NETWORK in budgets:
        shared = [r for r in rows if r.budget_cents is None]
        rows.append(
            BudgetRow(
                NETWORK,
                budgets[NETWORK],
                sum(r.estimated_cents for r in shared),
                sum(r.claimed_cents for r in shared),
                sum(r.checked_cents for r in shared),
                sum(r.paid_cents for r in shared),
                sum(r.committed_cents for r in shared),
            )
        )
    return rows


def _ranked(counts: Counter[K]) -> dict[K, int]:
    """Most first; ties in key order, so every rendering is stable."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
