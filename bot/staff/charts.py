"""The monthly report's charts, drawn with matplotlib (Agg, no display) from `reports.monthly`.

Arabic labels must come out joined and right to left. Matplotlib 3.11 (the pinned version) lays text out
with libraqm, which shapes Arabic and applies the bidirectional algorithm itself: the text is given in
logical order, and reshaping it first would reverse it twice. A matplotlib built without libraqm draws
glyph by glyph: then arabic-reshaper joins the letters (positional presentation forms) and python-bidi
reorders them for display. Either way the font is DejaVu Sans, which matplotlib ships and which has the
Arabic letters and presentation forms: no system font is needed.

    >>> png = chart_png(report, "volume_channel")          # doctest: +SKIP
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import arabic_reshaper
import matplotlib
from bidi import get_display
from matplotlib import ft2font
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

matplotlib.use("Agg")
NATIVE_LAYOUT = bool(getattr(ft2font, "__libraqm_version__", None))  # complex text layout built in
FONT = "DejaVu Sans"
GREEN, RED, GOLD, GREY = "#0f5c3a", "#b3261e", "#c99a2e", "#9aa5a0"


def ar(text: object) -> str:
    """Text as matplotlib must be given it to show Arabic joined and right to left."""
    if NATIVE_LAYOUT:
        return str(text)
    return str(get_display(arabic_reshaper.reshape(str(text))))


def _figure(title: str, size: tuple[float, float] = (8.0, 4.2)) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=110)
    ax = fig.add_subplot()
    ax.set_title(ar(title), fontfamily=FONT, fontsize=13, loc="right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _empty(ax: Axes) -> None:
    ax.text(0.5, 0.5, ar("لا توجد بيانات لهذا الشهر"), ha="center", va="center", fontfamily=FONT,
            fontsize=12, color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _bars(ax: Axes, labels: list[str], series: list[tuple[str, list[float], str]]) -> None:
    """Grouped vertical bars with their values on top; the first category at the right (Arabic order)."""
    if not labels or not any(v for _, values, _ in series for v in values):
        _empty(ax)
        return
    n = len(series)
    width = 0.8 / n
    positions = list(range(len(labels)))[::-1]
    for i, (name, values, colour) in enumerate(series):
        xs = [p - 0.4 + width * (n - 1 - i) + width / 2 for p in positions]
        bars = ax.bar(xs, values, width, label=ar(name), color=colour)
        ax.bar_label(bars, labels=[f"{v:g}" if v else "" for v in values], fontsize=9)
    ax.set_xticks(positions, [ar(label) for label in labels], fontfamily=FONT)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    if n > 1:
        ax.legend(prop={"family": FONT}, loc="upper left")


def volume_channel(r: dict[str, Any]) -> Figure:
    fig, ax = _figure("الحجم حسب القناة: الطلبات والشكاوى")
    rows = r["volume"]["by_channel"]
    _bars(ax, [row["label"] for row in rows], [("الطلبات", [row["requests"] for row in rows], GREEN),
                                               ("الشكاوى", [row["complaints"] for row in rows], GOLD)])
    return fig


def volume_service(r: dict[str, Any]) -> Figure:
    fig, ax = _figure("الطلبات حسب الخدمة")
    rows = r["volume"]["by_service"][:10]
    if not rows:
        _empty(ax)
        return fig
    labels = [ar(row["label"]) for row in rows][::-1]
    bars = ax.barh(range(len(rows)), [row["requests"] for row in rows][::-1], color=GREEN)
    ax.bar_label(bars, fontsize=9, padding=3)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines["right"].set_visible(True)
    ax.set_yticks(range(len(rows)), labels, fontfamily=FONT)
    ax.yaxis.tick_right()
    ax.invert_xaxis()  # bars grow leftwards from the labels, as an Arabic reader reads
    fig.tight_layout()
    return fig


def deadline(r: dict[str, Any]) -> Figure:
    d = r["deadline"]
    fig, ax = _figure(f"الطلبات التي رُدّ عليها في المهلة: {d['rate']}%" if d["rate"] is not None
                      else "الطلبات التي رُدّ عليها في المهلة", (8.0, 3.6))
    _bars(ax, ["في المهلة", "بعد المهلة", "بلا مهلة محددة"],
          [("العدد", [d["on_time"], d["late"], d["no_deadline"]], GREEN)])
    for patch, colour in zip(ax.patches, (GREEN, RED, GREY), strict=False):
        patch.set_color(colour)
    return fig


def satisfaction(r: dict[str, Any]) -> Figure:
    fig, ax = _figure("اتجاه رضا المستفيدين (متوسط التقييم من 5)")
    months = r["satisfaction"]["months"]
    points = [(i, m["average"]) for i, m in enumerate(months) if m["average"] is not None]
    if not points:
        _empty(ax)
        return fig
    xs = [len(months) - 1 - i for i, _ in points]  # the latest month at the left: time runs right to left
    ax.plot(xs, [v for _, v in points], marker="o", color=GREEN, linewidth=2)
    for x, (i, v) in zip(xs, points, strict=True):
        ax.annotate(f"{v:.2f} ({months[i]['count']})", (x, v), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=9)
    ax.set_xticks(range(len(months)), [m["month"] for m in months][::-1])
    ax.set_ylim(0, 5.6)
    ax.set_ylabel(ar("المتوسط"), fontfamily=FONT)
    return fig


def complaints(r: dict[str, Any]) -> Figure:
    c = r["complaints"]
    title = "مدة حل الشكاوى" + (f": المتوسط {c['average_days']} يوم، الوسيط {c['median_days']}"
                                if c["average_days"] is not None else "")
    fig, ax = _figure(title)
    _bars(ax, [b["label"] for b in c["buckets"]], [("عدد الشكاوى", [b["count"] for b in c["buckets"]], GOLD)])
    return fig


CHARTS: dict[str, tuple[str, Callable[[dict[str, Any]], Figure]]] = {
    "volume_channel": ("الحجم حسب القناة", volume_channel),
    "volume_service": ("الطلبات حسب الخدمة", volume_service),
    "deadline": ("الرد في المهلة", deadline),
    "satisfaction": ("اتجاه الرضا", satisfaction),
    "complaints": ("مدة حل الشكاوى", complaints),
}


def chart_png(report: dict[str, Any], name: str) -> bytes:
    """One chart as PNG bytes; KeyError for an unknown name."""
    fig = CHARTS[name][1](report)
    out = io.BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue()
