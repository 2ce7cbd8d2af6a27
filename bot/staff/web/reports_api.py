"""The staff workspace's REST endpoints (documented in /openapi.json): timers and the late digest, the
monthly report (JSON, charts, PDF), CSV/Excel exports of any list, the audit log with filters and paging,
field visits' outcomes and field-site notices.

    GET  /staff/api/timers                                  working days / minutes left, late in red
    GET  /staff/api/reports/monthly.pdf?org=namaa&month=2026-11
    GET  /staff/api/export/requests.xlsx?reason=...         personal data with a reason (audited)
    POST /staff/api/sites/juhfa_miqat/notice {"text": "...", "template": "site_notice"}
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bot.lang.dates import BadDate, parse_day
from bot.staff.charts import CHARTS, chart_png
from bot.staff.pdf import monthly_pdf
from bot.staff.report_schemas import (
    AuditPageOut,
    DigestOut,
    SiteNoticeIn,
    SiteNoticeOut,
    SiteOut,
    TimersOut,
    VisitOutcomeIn,
    VisitOutcomeOut,
)
from bot.staff.web import workspace
from bot.staff.web.api import ERRORS, Reason, Who
from bot.staff.web.audit import audit_page
from bot.staff.web.backend import Store
from bot.staff.web.errors import BadInput, NotFound
from bot.staff.web.exports import export_file
from storage.db import transaction

router = APIRouter(prefix="/staff/api", tags=["staff workspace"], responses=ERRORS)
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (default: this month)")]
Day = Annotated[str | None, Query(description="a date, Gregorian (2026-11-29) or Hijri (1448-06-10 هـ)")]
NO_STORE = {"Cache-Control": "no-store"}


def day_of(text: str | None) -> date | None:
    """A query's date in either calendar (BadInput in Arabic when it is neither)."""
    if not text:
        return None
    try:
        return parse_day(text)
    except BadDate as exc:
        raise BadInput(str(exc), "bad_date") from exc


def download(name: str, media: str, data: bytes) -> Response:
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      **NO_STORE})


@router.get("/timers", response_model=TimersOut,
            summary="Open requests (working days left) and handoffs (first-response minutes left), late flagged")
def get_timers(b: Store, who: Who, org: str | None = None) -> TimersOut:
    with transaction(b.engine) as tx:
        return workspace.timers_of(tx, who, b.clock(), org)


@router.get("/digest", response_model=DigestOut, summary="The daily digest of late work (managers)")
def get_digest(b: Store, who: Who, org: str | None = None, day: Day = None) -> DigestOut:
    with transaction(b.engine) as tx:
        return workspace.digest_of(tx, who, b.clock(), org, day_of(day))


@router.post("/digest", response_model=DigestOut, summary="Write today's digest now if not yet written (managers)")
def post_digest(b: Store, who: Who, org: str | None = None) -> DigestOut:
    with transaction(b.engine) as tx:
        return workspace.digest_of(tx, who, b.clock(), org, write=True)


@router.get("/reports/monthly", summary="One association's month in figures (managers)")
def report_json(b: Store, who: Who, org: str | None = None, month: Month = None) -> dict[str, Any]:
    with transaction(b.engine) as tx:
        return workspace.monthly_report(tx, who, b.clock(), org, month)


@router.get("/reports/monthly.pdf", response_class=Response,
            summary="The monthly report for the board as a PDF (Arabic; Hijri and Gregorian dates)")
def report_pdf(b: Store, who: Who, org: str | None = None, month: Month = None) -> Response:
    with transaction(b.engine) as tx:
        report = workspace.monthly_report(tx, who, b.clock(), org, month)
    return download(f"tawasul-{report['org']}-{report['month']}.pdf", "application/pdf", monthly_pdf(report))


@router.get("/reports/charts/{name}.png", response_class=Response,
            summary="One chart of the monthly report (volume_channel, volume_service, deadline, satisfaction, "
                    "complaints)")
def report_chart(b: Store, who: Who, name: str, org: str | None = None, month: Month = None) -> Response:
    if name not in CHARTS:
        raise NotFound(f"لا يوجد رسم باسم {name}")
    with transaction(b.engine) as tx:
        report = workspace.monthly_report(tx, who, b.clock(), org, month)
    return Response(chart_png(report, name), media_type="image/png", headers=NO_STORE)


@router.get("/export/{name}.{fmt}", response_class=Response,
            summary="Any list as CSV or Excel (requests, complaints, handoffs, alerts, privacy, audit); masked "
                    "unless a reason is given (then audited with it)")
def export(b: Store, who: Who, name: str, fmt: str, reason: Reason = None, org: str | None = None,
           status: str | None = None, actor: str | None = None, action: str | None = None,
           since: Day = None, until: Day = None) -> Response:
    filters = {"actor": actor, "action": action, "since": day_of(since), "until": day_of(until)}
    with transaction(b.engine) as tx:
        filename, media, data = export_file(tx, who, name, fmt, b.clock(), org=org, status=status, reason=reason,
                                            audit_filters=filters)
    return download(filename, media, data)


@router.get("/audit/search", response_model=AuditPageOut,
            summary="The audit log filtered and paged in SQL, with the total (managers, their association)")
def audit_search(b: Store, who: Who, org: str | None = None, actor: str | None = None, action: str | None = None,
                 target: str | None = None, since: Day = None, until: Day = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0)] = 0) -> AuditPageOut:
    with transaction(b.engine) as tx:
        rows, total = audit_page(tx, who, b.clock(), org=org, actor=actor, action=action, target=target,
                                 since=day_of(since), until=day_of(until), limit=limit, offset=offset)
    return AuditPageOut(rows=rows, total=total, limit=limit, offset=offset)


@router.post("/requests/{reference}/visit/outcome", response_model=VisitOutcomeOut,
             summary="Record a field visit's outcome in the request's history")
def post_visit_outcome(b: Store, who: Who, reference: str, body: VisitOutcomeIn) -> VisitOutcomeOut:
    with transaction(b.engine) as tx:
        return workspace.visit_outcome(tx, who, reference, body.visited, body.outcome, b.clock())


@router.get("/sites", response_model=list[SiteOut], summary="The association's field sites and their contacts")
def get_sites(b: Store, who: Who, org: str | None = None) -> list[SiteOut]:
    with transaction(b.engine) as tx:
        return workspace.sites_of(tx, who, b.clock(), org)


@router.get("/sites/notices", response_model=list[SiteNoticeOut], summary="Notices sent to field sites")
def get_site_notices(b: Store, who: Who, org: str | None = None) -> list[SiteNoticeOut]:
    with transaction(b.engine) as tx:
        return workspace.site_notices(tx, who, b.clock(), org)


@router.post("/sites/{site}/notice", response_model=SiteNoticeOut,
             summary="A notice to every contact of one field site: free text inside WhatsApp's 24-hour window, "
                     "else only by an approved template")
def post_site_notice(b: Store, who: Who, site: str, body: SiteNoticeIn, org: str | None = None) -> SiteNoticeOut:
    with transaction(b.engine) as tx:
        return workspace.site_notice(tx, who, site, body.text, body.template, b.clock(), org)
