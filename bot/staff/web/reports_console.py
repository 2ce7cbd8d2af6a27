"""The workspace's console pages under /staff (same session cookie and CSRF rules as bot/staff/web/console.py):
/staff/reports (managers: charts, the board's PDF, exports), /staff/timers (time left, late in red, the
digest), /staff/audit (managers), /staff/field (visits and field-site notices), /staff/export downloads.
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from bot.staff.auth import Principal, csrf_ok
from bot.staff.charts import CHARTS, chart_png
from bot.staff.pdf import monthly_pdf
from bot.staff.reads import org_today
from bot.staff.report_schemas import AuditPageOut
from bot.staff.web import reports_pages, workspace
from bot.staff.web.audit import audit_page
from bot.staff.web.backend import Store, backend
from bot.staff.web.console import DONE as CONSOLE_DONE
from bot.staff.web.console import Posted, act, html, redirect, session, view
from bot.staff.web.errors import ApiError, BadInput, NotFound
from bot.staff.web.exports import export_file
from bot.staff.web.html import error_page
from bot.staff.web.reports_api import day_of as _day
from bot.staff.web.requests import schedule_visit
from bot.turn.profiles import current_profile
from orgs.loader import all_orgs
from storage.db import transaction

router = APIRouter(prefix="/staff", include_in_schema=False)
IMAGES_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")
DONE = {"visit": "حُدد موعد الزيارة وأُبلغت الأسرة.", "outcome": "سُجّلت نتيجة الزيارة في سجل الطلب.",
        "notice": "أُرسل التعميم إلى مستفيدي الموقع."}
CONSOLE_DONE.update(DONE)  # the console's `?done=` notices, for these pages' redirects too



def _file(request: Request, make: Callable[[Session, Principal], tuple[str, str, bytes]]) -> Response:
    """A download for the signed-in user (a page of errors otherwise)."""
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    try:
        with transaction(backend(request).engine) as tx:
            name, media, data = make(tx, found[0])
    except ApiError as exc:
        return html(error_page(exc.message), exc.status_code)
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/reports")
def reports(b: Store, request: Request, org: str | None = None, month: str | None = None) -> Response:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        if not org and who.org is None:  # a manager of every association picks one first
            workspace.require_manager(who)
            return reports_pages.org_picker(sorted(all_orgs()), month)
        return reports_pages.report_page(workspace.monthly_report(tx, who, b.clock(), org, month), csrf)
    response = view(request, "التقارير الشهرية", build)
    response.headers["Content-Security-Policy"] = IMAGES_CSP  # the charts are images of this site
    return response


@router.get("/reports/chart/{name}.png")
def chart(b: Store, request: Request, name: str, org: str | None = None, month: str | None = None) -> Response:
    def make(tx: Session, who: Principal) -> tuple[str, str, bytes]:
        if name not in CHARTS:
            raise NotFound("لا يوجد رسم بهذا الاسم")
        return f"{name}.png", "image/png", chart_png(workspace.monthly_report(tx, who, b.clock(), org, month), name)
    response = _file(request, make)
    if "content-disposition" in response.headers:
        del response.headers["content-disposition"]
    return response


@router.get("/reports/monthly.pdf")
def monthly(b: Store, request: Request, org: str | None = None, month: str | None = None) -> Response:
    def make(tx: Session, who: Principal) -> tuple[str, str, bytes]:
        report = workspace.monthly_report(tx, who, b.clock(), org, month)
        return f"tawasul-{report['org']}-{report['month']}.pdf", "application/pdf", monthly_pdf(report)
    return _file(request, make)


@router.get("/export/{name}.{fmt}")
def export_masked(b: Store, request: Request, name: str, fmt: str, org: str | None = None,
                  status: str | None = None, actor: str | None = None, action: str | None = None,
                  since: str | None = None, until: str | None = None) -> Response:
    filters = {"actor": actor, "action": action}
    return _file(request, lambda tx, who: export_file(
        tx, who, name, fmt, b.clock(), org=org or None, status=status,
        audit_filters={**filters, "since": _day(since), "until": _day(until)}))


@router.post("/export")
def export_personal(b: Store, request: Request, form: Posted) -> Response:
    """With a reason (a form, so the reason never sits in a URL or a proxy's log): personal data, audited."""
    found = session(request)
    if found is None:
        return redirect("/staff/login")
    if not csrf_ok(found[1], form.get("csrf")):
        return html(error_page("انتهت صلاحية النموذج أو رمز الحماية غير صحيح؛ أعد تحميل الصفحة."), 403)
    if not form.get("reason", "").strip():
        return html(error_page("اذكر سبب تصدير البيانات الشخصية"), 400)
    return _file(request, lambda tx, who: export_file(
        tx, who, form.get("list", ""), form.get("fmt", "xlsx"), b.clock(), org=form.get("org") or None,
        reason=form.get("reason")))


@router.get("/timers")
def timers(b: Store, request: Request) -> Response:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = b.clock()
        digest = None
        if who.is_manager and who.org:
            try:
                digest = workspace.digest_of(tx, who, now, who.org)
            except NotFound:
                digest = None
        return reports_pages.timers_page(workspace.timers_of(tx, who, now), digest,
                                         reports_pages.exports_section(csrf, who.org, who.is_manager))
    return view(request, "المواعيد والمتأخرات", build)


@router.get("/audit")
def audit_log(b: Store, request: Request, actor: str = "", action: str = "", target: str = "", since: str = "",
              until: str = "", offset: int = 0) -> Response:
    filters = {"actor": actor, "action": action, "target": target, "since": since, "until": until}

    def build(tx: Session, who: Principal, csrf: str) -> str:
        rows, total = audit_page(tx, who, b.clock(), actor=actor or None, action=action or None,
                                 target=target or None, since=_day(since), until=_day(until),
                                 limit=50, offset=max(0, offset))
        return reports_pages.audit_page_body(AuditPageOut(rows=rows, total=total, limit=50, offset=max(0, offset)),
                                             filters)
    return view(request, "سجل التدقيق", build)


@router.get("/field")
def field(b: Store, request: Request) -> Response:
    def build(tx: Session, who: Principal, csrf: str) -> str:
        now = b.clock()
        org = who.org
        sites, notices, templates = [], [], []
        if org:
            sites = workspace.sites_of(tx, who, now)
            notices = workspace.site_notices(tx, who, now) if sites else []
            templates = sorted(current_profile(tx, org).whatsapp_templates)
        return reports_pages.field_page(csrf, org_today(org or "esrar", now), sites, notices, templates)
    return view(request, "العمل الميداني", build)


@router.post("/field/visit")
def field_visit(b: Store, request: Request, form: Posted) -> Response:
    reference = form.get("reference", "").strip()
    return act(request, form, lambda tx, who: schedule_visit(
        tx, who, reference, _day(form.get("date")) or _missing("موعد الزيارة"), form.get("time") or None,
        form.get("note"), b.clock(), form.get("researcher")), "/staff/field?done=visit")


@router.post("/field/outcome")
def field_outcome(b: Store, request: Request, form: Posted) -> Response:
    return act(request, form, lambda tx, who: workspace.visit_outcome(
        tx, who, form.get("reference", ""), form.get("visited") == "1", form.get("outcome", ""), b.clock()),
        f"/staff/field?done=outcome&ref={quote(form.get('reference', ''))}")


@router.post("/field/notice")
def field_notice(b: Store, request: Request, form: Posted) -> Response:
    return act(request, form, lambda tx, who: workspace.site_notice(
        tx, who, form.get("site", ""), form.get("text", ""), form.get("template") or None, b.clock()),
        "/staff/field?done=notice")


def _missing(what: str) -> Any:
    raise BadInput(f"{what} مطلوب")
