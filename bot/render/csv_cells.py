"""CSV files that spreadsheets never run as formulas (OWASP's CSV-injection rule).

Every CSV the bot writes goes through `writer`: a cell starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading single quote, so Excel and LibreOffice show it
as text, whatever its source (directory names typed in a file or in Slack, titles, …).
A cell that is nothing but a plain number (`-120,50`, `-3`) stays as it is: it cannot
hold a formula, and a negative remaining budget stays a number a spreadsheet can sum.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading `'` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, out: TextIO, **kw: Any) -> None:
        self._writer = csv.writer(out, **kw)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **kw: Any) -> SafeWriter:
    """The only way the bot writes CSV (a test checks that nothing calls csv.writer)."""
    return SafeWriter(out, **kw)
