"""The payments list for the finance office: the claims checked and not yet paid, as CSV.

German Excel, as the yearly CSV (`bot.render.report.report_csv`): `;` between cells,
amounts with a decimal comma and no thousands separator, dates as 31.12.2026, CRLF line
ends, UTF-8 with a BOM; every cell through `csv_cells` (no formulas). One row per claim,
then the total.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.render import csv_cells
from bot.render.report import number
from bot.texts import t
from bot.usecases.payments import Payment

COLUMNS = (
    "request",
    "title",
    "requester",
    "city",
    "date_from",
    "date_to",
    "travelling",
    "amount",
    "per_person",
    "claimed_at",
    "checked_by",
    "checked_at",
    "receipts",
)


def _euros(cents: int | None) -> str:
    return "" if cents is None else number(Decimal(cents) / 100, 2, comma=True)


def payments_csv(
    payments: Sequence[Payment], *, city_name: Callable[[str], str], tz: ZoneInfo
) -> bytes:
    """The file's bytes (UTF-8 with BOM, so Excel reads the umlauts)."""
    out = io.StringIO()
    writer = csv_cells.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([t("de", f"payments.col.{c}") for c in COLUMNS])
    for p in payments:
        writer.writerow(
            [
                p.request_id,
                p.title,
                p.requester_id,
                city_name(p.city_key),
                p.date_from.strftime("%d.%m.%Y"),
                p.date_to.strftime("%d.%m.%Y"),
                p.travelling,
                _euros(p.amount_cents),
                _euros(p.per_person_cents),
                p.claimed_at.astimezone(tz).strftime("%d.%m.%Y %H:%M") if p.claimed_at else "",
                p.checked_by or "",
                p.checked_at.astimezone(tz).strftime("%d.%m.%Y %H:%M") if p.checked_at else "",
                " ".join(p.receipts),
            ]
        )
    total = sum(p.amount_cents for p in payments)
    writer.writerow([t("de", "payments.total"), "", "", "", "", "", "", _euros(total)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
