"""The budget lines shown with a request: in decision messages and on the Home tab."""

from __future__ import annotations

from typing import Any

from bot.domain.budget import BudgetInfo, BudgetLine
from bot.domain.directory import Directory
from bot.slack.blocks import Block, escape, section
from bot.texts import fmt_cents, t

Message = dict[str, Any]


def budget_text(line: BudgetLine, directory: Directory, lang: str) -> str:
    """Budget, committed, this request's estimate, what would remain; a warning when over."""
    whose = directory.budget_name(BudgetInfo(line.year, line.amount_cents, line.city))
    estimate = (
        t(lang, "budget.no_estimate")
        if line.estimate_cents is None
        else t(lang, "budget.estimate", amount=fmt_cents(line.estimate_cents, lang))
    )
    rows = [
        t(lang, "budget.title", year=line.year, whose=escape(whose)),
        t(lang, "budget.amount", amount=fmt_cents(line.amount_cents, lang)),
        t(lang, "budget.committed", amount=fmt_cents(line.committed_cents, lang)),
        estimate,
        # Over already, a request costing nothing says so but is not held up (no warning).
        t(lang, "budget.over_by", amount=fmt_cents(-line.remaining_cents, lang))
        if line.remaining_cents < 0
        else t(lang, "budget.remaining", amount=fmt_cents(line.remaining_cents, lang)),
    ]
    if line.over:
        rows.append(t(lang, "budget.over"))
    return "\n".join(rows)


def budget_block(line: BudgetLine, directory: Directory, lang: str) -> Block:
    return section(budget_text(line, directory, lang))


def with_budget(
    message: Message, line: BudgetLine | None, directory: Directory, lang: str
) -> Message:
    """`message` with the budget lines put just before its buttons (unchanged without)."""
    if line is None:
        return message
    blocks = list(message["blocks"])
    at = next(
        (i for i in range(len(blocks) - 1, -1, -1) if blocks[i].get("type") == "actions"),
        len(blocks),
    )
    blocks.insert(at, budget_block(line, directory, lang))
    return {**message, "blocks": blocks}
