"""Names from the directory (a file, or typed by coordinators in Slack) never become live
formulas in a CSV the bot writes: OWASP's rule, a leading quote for every cell that starts
with =, +, -, @, a tab or a carriage return; plain numbers the bot writes stay numbers."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from sqlmodel import select

from bot.render.csv_cells import safe_cell
from models import Budget, City, Network, Topic
from tests.test_report import run_cli, sections, seed

HYPERLINK = '=HYPERLINK("http://x","klick")'
DDE = "+1+cmd|' /C calc'!A0"
NAMES = {
    "leipzig": HYPERLINK,
    "bremen": DDE,
    "nuernberg": "@SUM(1+1)*cmd|' /C calc'!A0",
}
TOPICS = {"wohnen": "-2+3+cmd|' /C calc'!A0", "mobilitaet": "\t=1+1"}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def rename(session_factory) -> None:
    with session_factory.begin() as s:
        for key, name in NAMES.items():
            city = s.get(City, key)
            city.name = name
            s.add(city)
        for key, name in TOPICS.items():
            topic = s.get(Topic, key)
            topic.name = name
            s.add(topic)
        network = s.exec(select(Network)).one()
        network.name = "\r=1+1"
        s.add(network)
        # Overspent: Leipzig's remaining budget is a negative number.
        s.add(Budget(year=2026, city_key="leipzig", amount_cents=10_000))
        s.add(Budget(year=2026, city_key="", amount_cents=1_000_000))


@pytest.mark.parametrize("separator", [";", ","])
def test_no_cell_of_the_report_csv_is_a_formula(session_factory, tmp_path: Path, separator):
    seed(session_factory)
    rename(session_factory)
    out = tmp_path / "bericht.csv"
    argv = ["report", "--year", "2026", "--separator", separator, "--output", str(out)]
    assert run_cli(argv, session_factory) == 0
    text = out.read_bytes().decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    cells = [c for row in rows for c in row]

    live = [c for c in cells if c.startswith(DANGEROUS) and not _number(c, separator)]
    assert live == []
    parsed = sections(text, separator)
    pairs = parsed["Austausche nach Städtepaar"]
    assert ["'" + HYPERLINK, "'" + DDE, "2"] in pairs
    topics = {row[0] for row in parsed["Austausche nach Thema"][1:]}
    assert topics == {"'-2+3+cmd|' /C calc'!A0", "'\t=1+1"}
    budget = parsed["Reisebudget nach Stadt (EUR)"]
    [leipzig] = [row for row in budget if row[0] == "'" + HYPERLINK]
    remaining = leipzig[-1]
    assert remaining.startswith("-") and _number(remaining, separator)  # stays a number
    assert [row[0] for row in budget if "Netzwerk" in row[0]] == ["'\r=1+1 (Netzwerk)"]


def _number(cell: str, separator: str) -> bool:
    try:
        float(cell.replace(",", ".") if separator == ";" else cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-", "'-"),
        ("-1e3", "'-1e3"),
        ("-120,50", "-120,50"),
        ("-3", "-3"),
        ("-0.5", "-0.5"),
        ("2450,50", "2450,50"),
        ("Leipzig", "Leipzig"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_is_neutralised_unless_plain(cell, written):
    assert safe_cell(cell) == written


def test_nothing_in_the_bot_writes_csv_around_the_safe_writer():
    root = Path(__file__).resolve().parent.parent / "bot"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "csv_cells.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv":
                offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert offenders == [], "write CSV with bot.render.csv_cells.writer"
