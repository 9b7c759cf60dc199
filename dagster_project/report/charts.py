"""The report's charts: matplotlib figures rendered to PNG with the Agg backend (no display, no
pyplot state), the same images in the HTML page (data URIs) and the PDF.

A value that is hidden by suppression is never drawn as a bar or point: its place is labelled
"suppressed"; a value that is not computable is labelled "n/a". Reference lines (the 70 % lines of
Workforce Pell) are drawn at the thresholds the report is given.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from dagster_project.report.data import Value

DPI = 100
COLORS = ("#1f5f8b", "#e08a1e", "#4c9a2a", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d")
SUPPRESSED, NOT_COMPUTABLE = "suppressed", "n/a"


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str
    width_px: int
    height_px: int


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Value]


def _png(fig: Figure, alt: str) -> Chart:
    """One draw (no `bbox_inches="tight"`, which draws twice): the margins are set by the caller."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    width, height = (int(v) for v in fig.get_size_inches() * DPI)
    return Chart(buffer.getvalue(), alt, width, height)


def _missing_label(value: Value) -> str:
    return SUPPRESSED if value.hidden else NOT_COMPUTABLE


def _money(x: float, _pos: object = None) -> str:
    return f"${x:,.0f}"


def bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    percent: bool,
    lines: Sequence[tuple[float, str]] = (),
    horizontal: bool = True,
) -> Chart:
    """Grouped bars, one group per category and one bar per series; missing values labelled."""
    n_cat, n_ser = len(categories), max(len(series), 1)
    size = (
        (9.0, max(2.2, 0.32 * n_cat * n_ser + 1.2))
        if horizontal
        else (max(6.0, 0.55 * n_cat * n_ser + 2), 4.2)
    )
    fig = Figure(figsize=size)
    ax = fig.add_subplot()
    if horizontal:  # room for the category labels at the left (8 pt text is about 0.075 in a character)
        label_in = 0.35 + 0.075 * max((len(c) for c in categories), default=4)
        fig.subplots_adjust(
            left=min(0.6, label_in / size[0]), right=0.97, top=1 - 0.45 / size[1], bottom=0.45 / size[1]
        )
    else:
        fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.3)
    width = 0.8 / n_ser
    present = [float(v.value) for s in series for v in s.values if not v.missing]
    top = max([*present, *(x for x, _ in lines), 0.0]) or 1.0
    for i, s in enumerate(series):
        positions = [c + (i - (n_ser - 1) / 2) * width for c in range(n_cat)]
        heights = [0.0 if v.missing else float(v.value) for v in s.values]
        color = COLORS[i % len(COLORS)]
        if horizontal:
            ax.barh(positions, heights, height=width, label=s.label, color=color)
        else:
            ax.bar(positions, heights, width=width, label=s.label, color=color)
        for pos, v in zip(positions, s.values, strict=True):
            if v.missing:
                xy = (top * 0.01, pos) if horizontal else (pos, top * 0.01)
                ax.annotate(
                    _missing_label(v),
                    xy,
                    fontsize=7,
                    style="italic",
                    color="#555555",
                    va="center" if horizontal else "bottom",
                    ha="left" if horizontal else "center",
                    rotation=0 if horizontal else 90,
                )
    for x, label in lines:
        if horizontal:
            ax.axvline(x, color="#b03030", linestyle="--", linewidth=1.2, label=label)
        else:
            ax.axhline(x, color="#b03030", linestyle="--", linewidth=1.2, label=label)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    value_axis.set_major_formatter(PercentFormatter(1.0) if percent else FuncFormatter(_money))
    if percent:
        (ax.set_xlim if horizontal else ax.set_ylim)(0, max(1.0, top * 1.05))
    else:
        (ax.set_xlim if horizontal else ax.set_ylim)(0, top * 1.12)
    if horizontal:
        ax.set_yticks(range(n_cat), list(categories), fontsize=8)
        ax.invert_yaxis()
    else:
        ax.set_xticks(range(n_cat), list(categories), fontsize=8, rotation=30, ha="right")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return _png(fig, title)


def lines(periods: Sequence[str], series: Sequence[Series], *, title: str, percent: bool) -> Chart:
    """One line per series over the periods; a missing point breaks the line and is marked below it."""
    fig = Figure(figsize=(9.0, 3.8))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.2)
    ax = fig.add_subplot()
    x = list(range(len(periods)))
    for i, s in enumerate(series):
        y = [float("nan") if v.missing else float(v.value) for v in s.values]
        color = COLORS[i % len(COLORS)]
        ax.plot(x, y, marker="o", markersize=4, label=s.label, color=color)
        hidden = [p for p, v in zip(x, s.values, strict=True) if v.hidden]
        if hidden:
            ax.plot(hidden, [0.0] * len(hidden), marker="x", linestyle="none", color=color, alpha=0.6)
    ax.set_xticks(x, list(periods), fontsize=8, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0) if percent else FuncFormatter(_money))
    if percent:
        ax.set_ylim(0, 1.05)
    else:
        ax.set_ylim(bottom=0)
    ax.set_title(title + "  (x on the axis: suppressed)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best", ncol=2)
    return _png(fig, title)
