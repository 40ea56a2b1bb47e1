"""The report page is accessible: axe-core (Deque's engine, the copy bundled by the
axe-playwright-python package) run in Debian's headless Chromium finds no serious or
critical violation in German and English, and the page's colours meet WCAG AA contrast."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy
import pytest
from matplotlib.colors import to_rgb

from bot.infra.db import SessionFactory, make_engine, upgrade
from bot.render import browser, charts
from bot.render.report_html import report_html
from bot.usecases.report import Report, yearly_report
from tests.report_screenshots import TZ, YEAR, seed_year

pytestmark = pytest.mark.chromium  # prints with the real Chromium (tests/conftest.py)

TEMPLATE = Path(browser.__file__).parent / "templates" / "report.html"
HAS_CHROMIUM = Path(browser.CHROMIUM).is_file()
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def report() -> Report:
    """A plausible network year (the one of the README's screenshots)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/cr.db")
        upgrade(engine)
        seed_year(SessionFactory(engine))
        found = yearly_report(SessionFactory(engine), YEAR, tz=TZ)
        engine.dispose()
    return found


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if not HAS_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium.new_page()
        finally:
            chromium.close()


def violations(page: Any, html: str) -> list[dict[str, Any]]:
    page.set_content(html)
    return list(axe_sync.Axe().run(page).response["violations"])


def serious(found: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_axe_finds_no_serious_violation_on_the_report_page(report, page, lang):
    html = report_html(report, lang, today=date(YEAR + 1, 1, 15))
    assert f'<html lang="{lang}">' in html
    found = violations(page, html)
    assert serious(found) == []
    # color-contrast is among the rules axe ran: the page's text meets WCAG AA.
    assert not any(v["id"] == "color-contrast" for v in found)


def test_the_check_finds_what_it_is_for(report, page):
    """The same run on a page spoiled on purpose: a picture without alt text, low contrast."""
    html = report_html(report, "de", today=date(YEAR + 1, 1, 15)).replace(
        "<main>",
        '<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">schwach</p>',
        1,
    )
    found = {v["id"] for v in violations(page, html)}
    assert {"image-alt", "color-contrast"} <= found


# --- WCAG AA contrast of the template's and the charts' colours, computed ------------------


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of "#rrggbb"."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_colours() -> dict[str, str]:
    found = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{6})", TEMPLATE.read_text()))
    assert {"ink", "muted", "accent", "tint"} <= set(found)
    return found


def test_contrast_is_computed_the_wcag_way():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA


def test_every_text_colour_of_the_page_meets_wcag_aa_on_its_backgrounds():
    c = css_colours()
    alert = "#b3261e"  # a budget overrun's card
    assert alert in TEMPLATE.read_text()
    for text in (c["ink"], c["muted"], c["accent"], alert):
        for background in ("#ffffff", c["tint"]):
            assert contrast(text, background) >= 4.5, (text, background)


def test_the_charts_text_meets_wcag_aa():
    white = (1.0, 1.0, 1.0)
    assert charts.contrast(to_rgb(charts.INK), white) >= 4.5
    assert charts.contrast(to_rgb(charts.ZERO), white) >= 4.5
    # The numbers on the city pairs' heat map, on every shade it can take.
    for share in numpy.linspace(0, 1, 257):
        shade = charts.HEAT(share)
        assert charts.contrast(to_rgb(charts.text_on(shade)), shade) >= 4.5, share
    # The module's contrast is the one computed here from the definition.
    assert charts.contrast(to_rgb("#777777"), white) == pytest.approx(
        contrast("#777777", "#ffffff")
    )
