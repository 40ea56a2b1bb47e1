"""What a request's travel budget looks like: budget, committed, this estimate, remaining.

Committed are the agreed requests (approved, matched, completed) charged to the same
budget: their estimate, replaced by the claimed actual costs once claimed.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.budget import NETWORK, BudgetInfo, BudgetLine, own_shares, to_cents
from bot.domain.directory import Directory
from bot.domain.request import Summary
from models import Budget, CostClaim, ExchangeRequest, ReminderSent

# The step recorded when a contact's approval over budget hands the request to the
# coordinators (once per round: the request's version).
REFERRED = "over_budget"
# Claim states whose amount replaces the estimate.
CLAIMED = ("claimed", "question", "checked", "paid")


def charged_requests(
    session: Session, directory: Directory, budget: BudgetInfo
) -> list[tuple[int, str, int]]:
    """(request id, own city, cents) of every agreed request charged to `budget`."""
    conditions = [
        col(ExchangeRequest.status).in_(rules.AGREED),
        col(ExchangeRequest.date_from) >= date(budget.year, 1, 1),
        col(ExchangeRequest.date_from) <= date(budget.year, 12, 31),
    ]
    if budget.city != NETWORK:
        conditions.append(col(ExchangeRequest.own_city_key) == budget.city)
    else:
        shares = own_shares(directory.budgets, budget.year)
        if shares:
            conditions.append(col(ExchangeRequest.own_city_key).not_in(shares))
    rows = session.exec(
        select(
            ExchangeRequest.id,
            ExchangeRequest.own_city_key,
            ExchangeRequest.cost_eur,
            CostClaim.status,
            CostClaim.amount_cents,
        )  # type: ignore[call-overload]
        .outerjoin(CostClaim, col(CostClaim.request_id) == col(ExchangeRequest.id))
        .where(*conditions)
    ).all()
    result = []
    for request_id, city, estimate, claim_status, claimed in rows:
        cents = claimed if claim_status in CLAIMED and claimed is not None else to_cents(estimate)
        result.append((request_id, city, cents or 0))
    return result


def budget_line(session: Session, directory: Directory, s: Summary) -> BudgetLine | None:
    """The budget figures shown with request `s`; None in a year without a budget."""
    budget = directory.budget_for(s.date_from.year, s.own_city_key)
    if budget is None:
        return None
    committed = sum(
        cents
        for request_id, _city, cents in charged_requests(session, directory, budget)
        if request_id != s.id
    )
    return BudgetLine(
        year=budget.year,
        city=budget.city,
        amount_cents=budget.amount_cents,
        committed_cents=committed,
        estimate_cents=to_cents(s.cost_eur),
    )


def locked_budget_line(session: Session, directory: Directory, s: Summary) -> BudgetLine | None:
    """As `budget_line`, after taking the budget's lock row: two approvals charged to the
    same budget run one after the other, the second seeing the first's commitment.

    PostgreSQL: SELECT … FOR UPDATE on the budget row (READ COMMITTED: the sums after it
    see what the other committed). SQLite: every write transaction already holds the
    database's write lock from BEGIN IMMEDIATE."""
    budget = directory.budget_for(s.date_from.year, s.own_city_key)
    if budget is None:
        return None
    session.exec(
        select(Budget.id)
        .where(Budget.year == budget.year, Budget.city_key == budget.city)
        .with_for_update()
    ).first()
    return budget_line(session, directory, s)


def budget_lines(
    session: Session, directory: Directory, requests: list[Summary]
) -> dict[int, BudgetLine]:
    """Budget figures per request id (those in a year with a budget)."""
    lines = {}
    for s in requests:
        line = budget_line(session, directory, s)
        if line is not None:
            lines[s.id] = line
    return lines


def referred(session: Session, requests: list[Summary]) -> frozenset[int]:
    """The ids of those `requests` handed to the coordinators over budget in their current
    round (still undecided: a question or an edit starts a new round)."""
    versions = {s.id: s.version for s in requests if s.status in rules.DECIDABLE}
    if not versions:
        return frozenset()
    rows = session.exec(
        select(ReminderSent.request_id, ReminderSent.round).where(
            col(ReminderSent.request_id).in_(versions), ReminderSent.step == REFERRED
        )
    ).all()
    return frozenset(i for i, round_ in rows if versions.get(i) == round_)
