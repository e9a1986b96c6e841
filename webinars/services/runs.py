"""The sync runs of the webinar app: what they are called and what they point at."""

from integrations.models import SyncRun, ZoomAccount
from integrations.runs import (
    FINISHED,
    sync_run_create,
    sync_run_open,
    sync_run_wait,
    sync_runs_expire,
)

from ..models import Webinar

KIND_SYNC = "webinar_sync"
KIND_DISCOVERY = "webinar_discovery"
# Changes Zoom's webhooks announced, pushed in a batch (never while a sync of the webinar runs)
KIND_LIVE = "webinar_live_push"
KIND_LABELS = {KIND_SYNC: "Webinar sync", KIND_DISCOVERY: "Webinar discovery",
               KIND_LIVE: "Webinar live update"}
# The counts each kind of run shows in the admin, in this order.
COUNT_LABELS = {
    KIND_SYNC: {
        "note": "Note",
        "registrants": "Registrants", "attendees": "Attendees", "contacts": "Contacts",
        "invalid_emails": "Invalid e-mails", "guests": "Guests without e-mail",
        "excluded": "Excluded domains", "cancelled": "Cancelled", "panelists": "Panelists",
        "contacts_pushed": "Contacts pushed", "contacts_created": "Contacts created",
        "contacts_deleted_in_hubspot": "Deleted in HubSpot (left out)",
        "attendance_recorded": "Attendance records pushed", "events_pushed": "Events pushed",
        "events_completed": "Events completed", "sessions_held": "Sessions held",
        "sessions_waiting": "Sessions waiting for Zoom",
        "events_cancelled": "Events cancelled",
    },
    KIND_LIVE: {
        "contacts_pushed": "Contacts pushed", "contacts_created": "Contacts created",
        "contacts_deleted_in_hubspot": "Deleted in HubSpot (left out)",
        "events_pushed": "Events pushed", "attendance_recorded": "Attendance records pushed",
        "events_cancelled": "Events cancelled",
    },
    KIND_DISCOVERY: {
        "webinars_found": "Webinars found", "webinars_new": "New webinars",
        "webinars_enabled": "With sync enabled",
    },
}


def webinar_sync_run_open(*, webinar: Webinar, trigger: str) -> SyncRun:
    """A new queued sync of the webinar, or the one already queued or running (`joined`):
    one sync per webinar at a time, across every worker and machine."""
    while True:
        run = sync_run_open(kind=KIND_SYNC, target=f"{webinar.topic} ({webinar.zoom_id})",
                            target_key=webinar.zoom_id, trigger=trigger)
        if not (run.joined and run.kind == KIND_LIVE):
            return run
        # A batched push of webhook changes holds the webinar for a second or two: the
        # sync asked for is wanted all the same, so it starts once the push is done.
        sync_run_wait(run=run, poll_s=0.2)
        if run.status not in FINISHED:  # its worker stopped: free the webinar
            sync_runs_expire(active_key=run.active_key)


def webinar_live_run_open(*, webinar: Webinar) -> SyncRun:
    """A live push of the webinar, in the single flight of its syncs: it joins (does nothing)
    when a sync or another push of the webinar is queued or running."""
    return sync_run_open(kind=KIND_LIVE, target=f"{webinar.topic} ({webinar.zoom_id})",
                         target_key=webinar.zoom_id, trigger="webhook", flight_of=KIND_SYNC)


def discovery_run_create(*, account: ZoomAccount, since, trigger: str) -> SyncRun:
    return sync_run_create(kind=KIND_DISCOVERY, target=f"{account} since {since:%Y-%m-%d}",
                           target_key=account.zoom_account_id, trigger=trigger)


def webinar_runs(*, webinar: Webinar):
    """The webinar's sync runs, newest first."""
    return SyncRun.objects.filter(kind=KIND_SYNC, target_key=webinar.zoom_id).order_by(
        "-created_at", "-pk")
