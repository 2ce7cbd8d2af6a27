"""The monthly report for an association's board as a PDF (Arabic, right to left, dates in the Hijri and
Gregorian calendars): a cover page with the month's figures, one page per chart, and the beneficiaries'
rating comments. Drawn with matplotlib's PdfPages, so the charts and the Arabic text share one layout
engine and one embedded font (bot/staff/charts.py).

    >>> data = monthly_pdf(monthly(tx, "esrar", 2026, 11, now))    # doctest: +SKIP
    >>> data[:5]
    b'%PDF-'
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from bot.staff.charts import CHARTS, FONT, GREEN, GREY, RED, ar

A4 = (8.27, 11.69)
RIGHT = 0.92


def _line(fig: Figure, y: float, text: str, size: float = 12, colour: str = "#1d2a22", bold: bool = False) -> None:
    fig.text(RIGHT, y, ar(text), ha="right", va="top", fontsize=size, color=colour, fontfamily=FONT,
             fontweight="bold" if bold else "normal")


def _cover(r: dict[str, Any]) -> Figure:
    fig = Figure(figsize=A4)
    p, v, d, s, c = r["period"], r["volume"], r["deadline"], r["satisfaction"], r["complaints"]
    _line(fig, 0.96, "التقرير الشهري لمجلس الإدارة", 18, GREEN, bold=True)
    _line(fig, 0.93, r["org_name"], 14, GREEN)
    _line(fig, 0.90, f"شهر {p['title']} ({p['hijri']})", 13)
    _line(fig, 0.875, f"من {p['from_text']} إلى {p['to_text']}", 11, GREY)
    _line(fig, 0.85, f"أُعدّ في {r['generated_text']}", 11, GREY)
    rate = f"{d['rate']}%" if d["rate"] is not None else "—"
    rows = [
        ("حجم العمل", ""),
        ("الطلبات الجديدة", v["requests"]), ("الشكاوى الجديدة", v["complaints"]),
        ("المحادثات المحالة للموظفين", v["handoffs"]),
        ("الالتزام بمهلة الرد", ""),
        ("طلبات صدر فيها قرار هذا الشهر", d["decided"]), ("منها في المهلة", d["on_time"]),
        ("منها بعد المهلة", d["late"]), ("نسبة الرد في المهلة", rate),
        ("طلبات مفتوحة تجاوزت موعدها", d["open_overdue"]),
        ("رضا المستفيدين", ""),
        ("عدد التقييمات", s["count"]), ("متوسط التقييم من 5", s["average"] if s["average"] is not None else "—"),
        ("الشكاوى", ""),
        ("شكاوى حُلّت هذا الشهر", c["resolved"]), ("شكاوى لم تُحل بعد", c["open"]),
        ("متوسط مدة الحل (أيام)", c["average_days"] if c["average_days"] is not None else "—"),
        ("وسيط مدة الحل (أيام)", c["median_days"] if c["median_days"] is not None else "—"),
    ]
    y = 0.80
    for label, value in rows:
        if value == "":
            y -= 0.012
            _line(fig, y, label, 13, GREEN, bold=True)
        else:
            _line(fig, y, f"{label}: {value}", 12, RED if label.startswith("طلبات مفتوحة") and value else "#1d2a22")
        y -= 0.032
    if d.get("policy"):
        for i, part in enumerate(textwrap.wrap(f"المهلة في سياسة الجمعية: {d['policy']}", 80)):
            _line(fig, y - 0.01 - i * 0.022, part, 10, GREY)
    return fig


def _comments(r: dict[str, Any]) -> Figure:
    fig = Figure(figsize=A4)
    _line(fig, 0.95, "تعليقات المستفيدين على التقييم (دون أسماء)", 15, GREEN, bold=True)
    y = 0.91
    comments = r["satisfaction"]["comments"]
    if not comments:
        _line(fig, y, "لا توجد تعليقات هذا الشهر.", 12, GREY)
    for item in comments:
        score = f"{item['score']} من 5" if item["score"] is not None else "بلا تقييم"
        day = datetime.fromisoformat(item["at"]).date().isoformat()
        _line(fig, y, f"{item['service']} — {score} — {day}", 10, GREY)
        y -= 0.02
        for part in textwrap.wrap(str(item["comment"]), 90)[:3]:
            _line(fig, y, part, 11)
            y -= 0.02
        y -= 0.012
        if y < 0.08:
            break
    return fig


def monthly_pdf(report: dict[str, Any]) -> bytes:
    """The report as PDF bytes (A4 pages)."""
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": f"Tawasul monthly report {report['org']} {report['month']}",
                                 "Creator": "Tawasul"}) as pdf:
        pdf.savefig(_cover(report))
        for _title, draw in CHARTS.values():
            fig = draw(report)
            fig.set_size_inches(A4[0], A4[0] * 0.55)
            pdf.savefig(fig, bbox_inches="tight")
        pdf.savefig(_comments(report))
    return out.getvalue()
