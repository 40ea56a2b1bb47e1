"""The yearly report's charts, drawn by matplotlib: inline SVG for the page, PNG for Slack.

Figures are built with `matplotlib.figure.Figure` (no pyplot state, safe in the bot's
threads) on the Agg backend. Colours hold in black-and-white print and for colour-blind
readers: the sequential map is cividis (its lightness rises steadily), bars carry their
numbers as direct labels, and the budget bars differ by hatching as well as by shade.
Text stays text in the SVG (`svg.fonttype = "none"`) in the system's sans-serif font;
the SVG refers to nothing outside itself.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Literal

# matplotlib builds its font cache once per machine (at import); no news for the bot's log.
logging.getLogger("matplotlib").setLevel(logging.WARNING)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import ListedColormap, to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from bot.texts import fmt_count, fmt_euros, month_name, t  # noqa: E402
from bot.usecases.report import Report  # noqa: E402

CMAP = colormaps["cividis"]
# cividis from its light end (0.95) to its dark one: lightness says "how many" in print too.
HEAT = ListedColormap(CMAP(numpy.linspace(0.95, 0.08, 256)), name="cividis_light_to_dark")
INK = "#1f2937"
DARK = CMAP(0.08)  # bars: a dark blue that prints as near-black
MID = CMAP(0.55)
LIGHT = "#ffffff"
GRID = "#d1d5db"
ZERO = "#6b7280"  # a zero on white: quieter than the counts, still WCAG AA (4.8:1)
AA = 4.5  # WCAG AA's contrast for normal text


def luminance(rgb: Sequence[float]) -> float:
    """WCAG 2's relative luminance of an (r, g, b[, a]) colour with channels 0–1."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Sequence[float], b: Sequence[float]) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(shade: Sequence[float]) -> str:
    """The colour of a number on a heat map cell: the ink where it reads at WCAG AA, else
    white, else (a mid tone that neither reaches) black."""
    for colour in (INK, LIGHT):
        if contrast(to_rgb(colour), shade) >= AA:
            return colour
    return "#000000"


FONTS = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif"]
RC: Any = {  # matplotlib types its keys as literals
    "svg.fonttype": "none",
    "svg.hashsalt": "cr-bot",  # stable ids: the same year renders the same page
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 9,
    "text.parse_math": False,  # a "$" in a city's name is a dollar sign
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "hatch.linewidth": 0.8,
}
METADATA = {"Creator": f"Matplotlib {matplotlib.__version__}", "Date": None, "Type": None}
_XML_HEAD = re.compile(r"\A.*?(?=<svg)", re.S)


def count(n: int, lang: str) -> str:
    """1.234 (German) / 1,234 (English)."""
    return fmt_count(n, lang)


def euros(amount: Decimal | float, lang: str, *, cents: bool = True) -> str:
    """20.000,00 € (German) / €20,000.00 (English), as in the bot's messages; without cents
    for axes."""
    return fmt_euros(amount, lang, cents=cents)


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(RC):
        yield


def svg(fig: Figure) -> str:
    """The figure as an `<svg>` element to put into HTML (no XML prolog, no doctype)."""
    out = io.StringIO()
    with _style():
        fig.savefig(out, format="svg", metadata=METADATA, bbox_inches="tight")
    return _XML_HEAD.sub("", out.getvalue(), count=1)


def png(fig: Figure, *, dpi: int = 150) -> bytes:
    out = io.BytesIO()
    with _style():
        fig.savefig(out, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return out.getvalue()


def _figure(width: float, height: float) -> Figure:
    with _style():
        return Figure(figsize=(width, height), layout="constrained")


def _plain(ax: Axes, *, grid_axis: Literal["x", "y"] = "y") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _int_axis(axis: Any, lang: str) -> None:
    axis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axis.set_major_formatter(FuncFormatter(lambda v, _: count(int(v), lang)))


# ---- the charts ------------------------------------------------------------------


def months_axes(ax: Axes, report: Report, lang: str) -> None:
    months = report.by_month or {m: 0 for m in range(1, 13)}
    names = [month_name(m, lang) for m in months]
    values = list(months.values())
    bars = ax.bar(names, values, color=DARK, width=0.7)
    ax.bar_label(bars, labels=[count(v, lang) if v else "" for v in values], padding=2, color=INK)
    _plain(ax)
    _int_axis(ax.yaxis, lang)
    ax.set_ylim(0, max([*values, 1]) * 1.18)
    ax.set_ylabel(t(lang, "report.exchanges"))


def months_chart(report: Report, lang: str) -> Figure:
    with _style():
        fig = _figure(7.2, 2.6)
        months_axes(fig.add_subplot(), report, lang)
    return fig


def pair_cities(report: Report) -> list[str]:
    """Every city in a pair, by name."""
    keys = {city for pair in report.by_city_pair for city in pair}
    return sorted(keys, key=lambda key: (report.city(key).casefold(), key))


def pairs_axes(ax: Axes, report: Report, lang: str) -> None:
    cities = pair_cities(report)
    index = {city: i for i, city in enumerate(cities)}
    n = len(cities)
    matrix = [[0] * n for _ in range(n)]
    for (own, partner), value in report.by_city_pair.items():
        matrix[index[own]][index[partner]] = value
    top = max([value for row in matrix for value in row] + [1])
    # More exchanges, darker cells (light yellow to dark blue); none stay white.
    cells = numpy.ma.masked_equal(numpy.array(matrix, dtype=float), 0)
    edges = [k - 0.5 for k in range(n + 1)]
    ax.pcolormesh(edges, edges, cells, cmap=HEAT, vmin=0, vmax=top)  # vector cells
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)  # the first city on top
    ax.set_aspect("equal")
    for i in range(n):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor=GRID, edgecolor="none"))
        for j in range(n):
            value = matrix[i][j]
            if i == j:
                ax.text(j, i, "–", ha="center", va="center", color=INK, fontsize=9)
                continue
            shade = HEAT(value / top) if value else (1.0, 1.0, 1.0, 1.0)
            ax.text(
                j,
                i,
                count(value, lang),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold" if value else "normal",
                color=text_on(shade) if value else ZERO,
            )
    names = [report.city(city) for city in cities]
    ax.set_xticks(
        range(n), labels=names, rotation=30 if n > 4 else 0, ha="right" if n > 4 else "center"
    )
    ax.set_yticks(range(n), labels=names)
    ax.set_xlabel(t(lang, "page.pairs.to"))
    ax.set_ylabel(t(lang, "page.pairs.from"))
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_facecolor("white")
    ax.set_xticks([x - 0.5 for x in range(1, n)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n)], minor=True)
    ax.grid(which="minor", color=GRID, linewidth=1)
    ax.tick_params(which="minor", length=0)


def pairs_chart(report: Report, lang: str) -> Figure:
    n = max(len(pair_cities(report)), 1)
    side = min(1.2 + 0.62 * n, 7.2)
    with _style():
        fig = _figure(side + 0.6, side)
        pairs_axes(fig.add_subplot(), report, lang)
    return fig


def bars_chart(rows: Sequence[tuple[str, int]], lang: str, *, label: str) -> Figure:
    """Horizontal bars, most first, each with its number."""
    height = 0.55 + 0.32 * max(len(rows), 1)
    with _style():
        fig = _figure(3.5, height)
        ax = fig.add_subplot()
        names = [name for name, _ in rows][::-1]
        values = [value for _, value in rows][::-1]
        bars = ax.barh(names, values, color=DARK, height=0.62)
        ax.bar_label(bars, labels=[count(v, lang) for v in values], padding=3, color=INK)
        _plain(ax, grid_axis="x")
        _int_axis(ax.xaxis, lang)
        ax.set_xlim(0, max([*values, 1]) * 1.2)
        ax.set_xlabel(label)
    return fig


def ratings_chart(report: Report, lang: str) -> Figure:
    with _style():
        fig = _figure(3.5, 2.2)
        ax = fig.add_subplot()
        ratings = report.ratings or {r: 0 for r in range(1, 6)}
        values = list(ratings.values())
        bars = ax.bar([str(r) for r in ratings], values, color=DARK, width=0.62)
        ax.bar_label(bars, labels=[count(v, lang) if v else "" for v in values], padding=2)
        _plain(ax)
        _int_axis(ax.yaxis, lang)
        ax.set_ylim(0, max([*values, 1]) * 1.2)
        ax.set_xlabel(t(lang, "report.rating"))
        ax.set_ylabel(t(lang, "report.reflections"))
    return fig


def budget_chart(
    lines: Sequence[tuple[str, Decimal | None, Decimal, Decimal]], lang: str
) -> Figure:
    """Budget, committed and paid per city (name, budget or None, committed, paid): grouped
    bars told apart by hatching too."""
    height = 0.8 + 0.45 * len(lines)
    series = (
        ("page.budget.budget", 1, {"color": LIGHT, "edgecolor": INK, "hatch": "///"}),
        ("page.budget.committed", 2, {"color": MID, "edgecolor": INK, "hatch": ".."}),
        ("page.budget.paid", 3, {"color": DARK, "edgecolor": INK}),
    )
    with _style():
        fig = _figure(7.2, height)
        ax = fig.add_subplot()
        step = 0.26
        figures: list[tuple[Decimal | None, ...]] = [tuple(line[1:]) for line in lines]
        for key, i, style in series:
            amounts = [row[i - 1] for row in figures]
            values = [float(a or 0) for a in amounts]
            ys = [n + (i - 2) * step for n in range(len(lines))]
            bars = ax.barh(ys, values, height=step * 0.92, label=t(lang, key), **style)
            labels = ["" if a is None else euros(a, lang, cents=False) for a in amounts]
            ax.bar_label(bars, labels=labels, padding=3, fontsize=8, color=INK)
        ax.set_yticks(range(len(lines)), labels=[line[0] for line in lines])
        ax.invert_yaxis()
        _plain(ax, grid_axis="x")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: euros(v, lang, cents=False)))
        top = max([float(a or 0) for row in figures for a in row] + [1.0])
        ax.set_xlim(0, top * 1.25)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3, frameon=False, fontsize=8)
    return fig


def slack_chart(report: Report, lang: str) -> Figure:
    """The two main charts side by side, with the title, for `/cr-request report`."""
    with _style():
        fig = _figure(12.5, 5.0)
        months_ax, pairs_ax = fig.subplots(1, 2, width_ratios=(1.5, 1))
        months_axes(months_ax, report, lang)
        months_ax.set_title(t(lang, "page.months"), loc="left", fontweight="bold")
        pairs_axes(pairs_ax, report, lang)
        pairs_ax.set_title(t(lang, "page.pairs"), loc="left", fontweight="bold")
        title = t(lang, "report.title", year=report.year)
        if report.network:
            title += f" – {report.network}"
        fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    return fig
