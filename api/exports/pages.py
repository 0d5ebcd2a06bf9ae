"""The console's exports page: a filter form and a format choice.

The form is an ordinary GET form, so it works without JavaScript. "Download" checks the
filters here (a problem comes back as a sentence on the page) and then sends the browser
to the streaming export endpoint (`/api/exports/...`), which audits the download.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from analysis.exports.filters import ExportFilters, FilterError
from api.auth.deps import console_roles
from api.console.render import page, query
from api.http import ServiceDep
from bot.access.users import Principal, Role
from bot.campaigns import service as campaign_service
from bot.i18n.languages import LANGUAGES
from bot.outreach.channel_names import channel_title
from bot.questionnaire.compiler import CHANNELS as CONVERSATION_CHANNELS

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(console_roles(Role.OFFICER, Role.ANALYST))]
Text = Annotated[str, Query(max_length=80)]
FORMATS = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "parquet": "Parquet",
    "sav": "SPSS (.sav)",
    "codebook.csv": "Codebook only (CSV)",
    "codebook.json": "Codebook only (JSON)",
}
CHANNELS = {channel: channel_title(channel) for channel in CONVERSATION_CHANNELS}
COMPLETION = {"": "All conversations", "true": "Only completed", "false": "Only unfinished"}
NOT_ALLOWED = (
    "Your account may not download identifiable data: ask an administrator, or leave "
    "“Identifiable” unticked for a pseudonymised export."
)


def _day(text: str, label: str) -> datetime.date | None:
    if not text.strip():
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"{label}: give a date such as 2026-11-02.") from None


def _filters(form: dict[str, str]) -> ExportFilters:
    campaign = form["campaign"].strip()
    if campaign and not campaign.isdigit():
        raise FilterError("Campaign: choose one from the list.")
    completed = {"true": True, "false": False}.get(form["completed"])
    filters = ExportFilters(
        form["questionnaire"].strip(),
        form["version"].strip() or None,
        int(campaign) if campaign else None,
        _day(form["date_from"], "From"),
        _day(form["date_to"], "To"),
        form["channel"] or None,
        form["language"] or None,
        form["segment"].strip() or None,
        completed,
    )
    filters.check()
    return filters


def _page(
    request: Request, service: ServiceDep, user: Principal, form: dict[str, str], problem: str
) -> HTMLResponse:
    with service.database.engine.connect() as connection:
        campaigns = campaign_service.list_campaigns(connection)
    return page(
        request,
        "exports.html",
        user,
        "/console/exports",
        status_code=422 if problem else 200,
        questionnaires=service.registry.all(),
        campaigns=campaigns,
        formats=FORMATS,
        channels=CHANNELS,
        completion=COMPLETION,
        languages=LANGUAGES,
        form=form,
        error=problem or None,
    )


@router.get("/console/exports")
def exports(
    request: Request,
    service: ServiceDep,
    user: Staff,
    questionnaire: Text = "",
    version: Text = "",
    campaign: Text = "",
    date_from: Text = "",
    date_to: Text = "",
    channel: Text = "",
    language: Text = "",
    segment: Text = "",
    completed: Text = "",
    format: Text = "",
    identifiable: Text = "",
    download: Text = "",
) -> Response:
    form = {
        "questionnaire": questionnaire, "version": version, "campaign": campaign,
        "date_from": date_from, "date_to": date_to, "channel": channel, "language": language,
        "segment": segment, "completed": completed, "format": format or "csv",
        "identifiable": identifiable,
    }  # fmt: skip
    form = {name: value.replace("\x00", "") for name, value in form.items()}
    if not download:
        return _page(request, service, user, form, "")
    try:
        filters = _filters(form)
    except FilterError as error:
        return _page(request, service, user, form, str(error))
    if filters.questionnaire_id not in {q.id for q in service.registry.all()}:
        return _page(request, service, user, form, "Questionnaire: choose one from the list.")
    if form["format"] not in FORMATS:
        return _page(request, service, user, form, "Format: choose one of the formats listed.")
    wants_identifiable = form["identifiable"] == "true"
    if wants_identifiable and not user.can_export_identifiable:
        return _page(request, service, user, form, NOT_ALLOWED)
    given = {
        "questionnaire": filters.questionnaire_id,
        "version": filters.version,
        "campaign": filters.campaign_id,
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "channel": filters.channel,
        "language": filters.language,
        "segment": filters.segment,
        "completed": form["completed"] or None,
        "identifiable": "true" if wants_identifiable else None,
    }
    return RedirectResponse(f"/api/exports/{form['format']}?{query(**given)}", status_code=303)
