"""The webinar sync: Zoom registrants and attendees → mirror → HubSpot contacts and events."""

import logging
from collections.abc import Callable

from django.utils import timezone

from contacts.services.activities import webinar_activities_refresh
from contacts.services.hubspot_push import (
    attendance_push,
    contacts_push,
    hubspot_properties_ensure,
    marketing_events_complete,
    marketing_events_push,
)
from contacts.services.people import contacts_ensure
from contacts.services.rollups import contact_rollups_refresh
from integrations.errors import IntegrationError
from integrations.models import SyncRun
from integrations.services.clients import (
    hubspot_client_for,
    hubspot_portal_for,
    zoom_client_for,
)
from integrations.timefmt import parse_api_time

from ..models import AttendanceSession, Registrant, Webinar
from .mirror import (
    attendance_sessions_sync_from_zoom,
    registrants_sync_from_zoom,
    webinar_instance_sync_from_zoom,
    webinar_instances_plan,
    webinar_sync_from_zoom,
)

logger = logging.getLogger(__name__)

REGISTRANT_STATUSES = ("approved", "pending", "denied")
STEPS = [
    "Reading the webinar from Zoom",
    "Reading registrants",
    "Reading attendance",
    "Updating contacts",
    "Pushing contacts to HubSpot",
    "Pushing events and attendance to HubSpot",
]

ProgressCallback = Callable[[SyncRun], None]


class _Progress:
    def __init__(self, run: SyncRun, on_progress: ProgressCallback | None):
        self.run, self.on_progress = run, on_progress

    def step(self, index: int) -> None:
        self.run.done = index
        self.run.counts = {**self.run.counts, "step": STEPS[index] if index < len(STEPS)
                           else "Done"}
        self.run.save(update_fields=["done", "counts"])
        if self.on_progress:
            self.on_progress(self.run)


def webinar_sync_run_create(*, webinar: Webinar, trigger: str) -> SyncRun:
    return SyncRun.objects.create(
        kind=SyncRun.Kind.WEBINAR, webinar=webinar, trigger=trigger,
        target=f"{webinar.topic} ({webinar.zoom_id})", total=len(STEPS),
    )


def webinar_sync(*, webinar: Webinar, run: SyncRun | None = None, trigger: str = "manual",
                 on_progress: ProgressCallback | None = None) -> SyncRun:
    """Runs one full sync of one webinar; never raises for API or configuration problems:
    the outcome (and a readable error) is on the returned SyncRun and on the webinar."""
    run = run or webinar_sync_run_create(webinar=webinar, trigger=trigger)
    run.status, run.started_at, run.total, run.error = (
        SyncRun.Status.RUNNING, timezone.now(), len(STEPS), "")
    run.save(update_fields=["status", "started_at", "total", "error"])
    try:
        counts = _webinar_sync_steps(webinar=webinar, progress=_Progress(run, on_progress))
    except IntegrationError as exc:
        _finish(run, webinar, status=SyncRun.Status.FAILED, error=exc.message)
    except Exception as exc:  # a bug: keep the worker alive, show it, log the traceback
        logger.exception("Webinar sync %s crashed", webinar.zoom_id)
        _finish(run, webinar, status=SyncRun.Status.FAILED,
                error=f"Unexpected error ({type(exc).__name__}): {exc}")
    else:
        run.counts = {**run.counts, **counts}
        _finish(run, webinar, status=SyncRun.Status.SUCCEEDED)
    return run


def _finish(run: SyncRun, webinar: Webinar, *, status: str, error: str = "") -> None:
    now = timezone.now()
    run.status, run.error, run.finished_at = status, error, now
    if status == SyncRun.Status.SUCCEEDED:
        run.done = run.total
        run.counts = {**run.counts, "step": "Done"}
    run.save(update_fields=["status", "error", "finished_at", "done", "counts"])
    webinar.last_sync_status, webinar.last_sync_error = status, error
    fields = ["last_sync_status", "last_sync_error"]
    if status == SyncRun.Status.SUCCEEDED:
        webinar.last_synced_at = now
        fields.append("last_synced_at")
    webinar.save(update_fields=fields)


def _webinar_sync_steps(*, webinar: Webinar, progress: _Progress) -> dict:
    account = webinar.zoom_account
    zoom = zoom_client_for(account=account)
    portal = hubspot_portal_for(account=account)
    hubspot = hubspot_client_for(portal=portal)
    counts = {}

    progress.step(0)
    webinar = webinar_sync_from_zoom(account=account, data=zoom.get_webinar(webinar.zoom_id))
    webinar_instances_plan(webinar=webinar)

    progress.step(1)
    rows = []
    for status in REGISTRANT_STATUSES:
        for page in zoom.iter_registrant_pages(webinar.zoom_id, status):
            for row in page:
                row.setdefault("status", status)
            rows.extend(page)
    held = []
    if webinar.start_time and webinar.start_time <= timezone.now():
        held = zoom.list_past_instances(webinar.zoom_id)
    participant_rows = {}
    for item in held:
        participant_rows[item["uuid"]] = [
            row for page in zoom.iter_participant_pages(item["uuid"]) for row in page
        ]
    emails = {(r.get("email") or "").lower() for r in rows}
    emails |= {(p.get("user_email") or "").lower()
               for page in participant_rows.values() for p in page
               if not p.get("internal_user")}
    contact_ids = contacts_ensure(emails=emails)
    registrants = registrants_sync_from_zoom(webinar=webinar, rows=rows, contact_ids=contact_ids)
    counts["registrants"] = len(rows)

    progress.step(2)
    sessions = 0
    for item in held:
        report = zoom.get_webinar_report(item["uuid"])
        instance = webinar_instance_sync_from_zoom(
            webinar=webinar, uuid=item["uuid"], report=report,
            start_time=parse_api_time(item.get("start_time")),
        )
        saved = attendance_sessions_sync_from_zoom(
            instance=instance, uuid=item["uuid"], rows=participant_rows[item["uuid"]],
            registrants=registrants, contact_ids=contact_ids,
        )
        sessions += len(saved)
        instance.participants_synced_at = timezone.now()
        instance.save(update_fields=["participants_synced_at"])
    attendance = AttendanceSession.objects.filter(instance__webinar=webinar)
    counts["participant_rows"] = sessions
    counts["attendees"] = attendance.exclude(email="").values("email").distinct().count()
    counts["guests"] = attendance.filter(email="", registrant__isnull=True).count()

    progress.step(3)
    touched = set(contact_ids.values())
    contact_rollups_refresh(contact_ids=list(touched))
    webinar_activities_refresh(webinar=webinar)
    counts["contacts"] = len(touched)
    counts["excluded"] = len({e for e in emails if e}) - len(touched)

    progress.step(4)
    hubspot_properties_ensure(client=hubspot, portal=portal)
    counts.update(contacts_push(client=hubspot, contact_ids=list(touched)))

    progress.step(5)
    counts["events_pushed"] = marketing_events_push(client=hubspot, webinar=webinar)
    counts["attendance_recorded"] = attendance_push(client=hubspot, webinar=webinar)
    counts["events_completed"] = marketing_events_complete(client=hubspot, webinar=webinar)
    counts["cancelled"] = webinar.registrants.filter(
        status=Registrant.Status.CANCELLED).count()
    return counts
