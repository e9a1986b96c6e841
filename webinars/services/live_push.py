"""Changes Zoom's webhooks announced, reaching HubSpot in batches.

A webhook's handler only records which contacts of a webinar changed (LiveChange) and makes
sure one push of the webinar is queued or running. That push waits out a short window
(WEBHOOK_BATCH_WINDOW_S) so the events of a busy moment — thousands of joins when a webinar
starts — go out together, then uses the sync's own batched, exactly-once pushes: 100 contacts
per upsert, 100 attendance records per call. It shares the single flight of the webinar's
syncs: while a sync runs, the push is retried a little later rather than racing it.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from contacts.services.hubspot_contacts import ContactReadAhead, contacts_push
from contacts.services.hubspot_properties import hubspot_properties_ensure
from contacts.services.rollups import contact_rollups_refresh
from integrations.errors import IntegrationError
from integrations.models import SyncRun
from integrations.runs import sync_run_claim, sync_run_finish
from integrations.services.clients import hubspot_client_for, hubspot_portal_for

from ..models import LiveChange, Webinar
from .hubspot_attendance import attendance_push
from .hubspot_events import (
    marketing_event_properties_ensure,
    marketing_events_cancel,
    marketing_events_push,
)
from .mapped_properties import mapped_properties_ensure
from .mirror import webinar_instances_plan
from .profiles import webinar_contact_profiles
from .runs import webinar_live_run_open
from .timeline import webinar_timeline_refresh

TASK = "webinars.tasks.push_webinar_changes"
# A push that found a sync of the webinar running tries again this much later.
RETRY_AFTER_S = 15
# A push queued this long ago that never ran (its worker died) no longer blocks the next one.
QUEUED_STALE_AFTER = timedelta(minutes=10)
# While webhooks keep recording changes, one push task keeps sending them for this long
# (seconds), then queues its successor, well within QUEUED_STALE_AFTER.
PUSH_MAX_S = 60


def live_changes_record(*, webinar: Webinar, contact_ids=()) -> bool:
    """Remembers that these contacts' facts on the webinar changed and queues the webinar's
    push (when none is queued yet). Returns whether a push was queued: only webinars with
    sync enabled reach HubSpot."""
    if not webinar.sync_enabled:
        return False
    now = timezone.now()
    LiveChange.objects.bulk_create(
        [LiveChange(webinar=webinar, contact_id=cid, changed_at=now) for cid in set(contact_ids)],
        update_conflicts=True, unique_fields=["webinar", "contact"],
        update_fields=["changed_at"])
    live_push_queue(webinar=webinar)
    return True


def live_push_queue(*, webinar: Webinar) -> None:
    """Queues one push of the webinar unless one is queued already (whichever process)."""
    now = timezone.now()
    taken = Webinar.objects.filter(pk=webinar.pk).filter(
        Q(live_push_queued_at__isnull=True)
        | Q(live_push_queued_at__lt=now - QUEUED_STALE_AFTER)).update(live_push_queued_at=now)
    if taken:
        transaction.on_commit(lambda: async_task(
            TASK, webinar.pk, task_name=f"Push webhook changes of webinar {webinar.zoom_id}",
            group="webinar-live"))


def _window_wait(*, since) -> None:
    """Sleeps until WEBHOOK_BATCH_WINDOW_S after `since` (the oldest change waiting)."""
    if since is not None:
        wait = (since - timezone.now()).total_seconds() + settings.WEBHOOK_BATCH_WINDOW_S
        if wait > 0:
            time.sleep(min(wait, settings.WEBHOOK_BATCH_WINDOW_S))


def webinar_changes_push(*, webinar: Webinar) -> SyncRun | None:
    """The queued push: after the window, every recorded change of the webinar goes to
    HubSpot in batches, and so do the changes recorded meanwhile, each batch a window after
    its first change, until none is left (or PUSH_MAX_S has passed: a new task takes over).
    Returns its run, or None when a sync held the webinar (the push is then retried a little
    later, still counted as queued)."""
    _window_wait(since=Webinar.objects.filter(pk=webinar.pk).values_list(
        "live_push_queued_at", flat=True).first())
    run = webinar_live_run_open(webinar=webinar)
    if run.joined or not sync_run_claim(run=run):
        schedule(TASK, webinar.pk, schedule_type=Schedule.ONCE, repeats=1,
                 next_run=timezone.now() + timedelta(seconds=RETRY_AFTER_S),
                 name=f"Retry webhook push of webinar {webinar.zoom_id} {time.time_ns()}")
        return None
    began, total = time.monotonic(), {}
    try:
        while True:
            started = timezone.now()
            contact_ids = list(LiveChange.objects.filter(webinar=webinar, changed_at__lte=started)
                               .values_list("contact_id", flat=True))
            counts = _push(webinar=webinar, contact_ids=contact_ids)
            LiveChange.objects.filter(webinar=webinar, contact_id__in=contact_ids,
                                      changed_at__lte=started).delete()
            for key, value in counts.items():
                total[key] = total.get(key, 0) + value if isinstance(value, int) else value
            waiting = LiveChange.objects.filter(webinar=webinar).aggregate(
                first=Min("changed_at"))["first"]
            if waiting is None or time.monotonic() - began > PUSH_MAX_S:
                break
            _window_wait(since=waiting)
    except Exception as exc:
        # the changes stay recorded: the next webhook's push (or the next sync) sends them
        known = isinstance(exc, IntegrationError)
        sync_run_finish(run=run, status=SyncRun.Status.FAILED, error=exc.message if known
                        else f"Unexpected error ({type(exc).__name__}): {exc}")
        Webinar.objects.filter(pk=webinar.pk).update(live_push_queued_at=None)
        if not known:
            raise
        return run
    sync_run_finish(run=run, status=SyncRun.Status.SUCCEEDED, counts=total)
    # Stand down (a change recorded from now on queues the next push), then look once more
    # for a change recorded before that, which queued nothing.
    Webinar.objects.filter(pk=webinar.pk).update(live_push_queued_at=None)
    if LiveChange.objects.filter(webinar=webinar).exists():
        live_push_queue(webinar=webinar)
    return run


def _push(*, webinar: Webinar, contact_ids: list[int]) -> dict:
    portal = hubspot_portal_for(account=webinar.zoom_account)
    hubspot = hubspot_client_for(portal=portal)
    hubspot_properties_ensure(client=hubspot, portal=portal)
    marketing_event_properties_ensure(client=hubspot, portal=portal)
    webinar_instances_plan(webinar=webinar)
    instances = list(webinar.instances.select_related("webinar"))

    def timelines_and_rollups(chunk: list[int]) -> None:
        webinar_timeline_refresh(webinar=webinar, contact_ids=chunk, instances=instances)
        contact_rollups_refresh(contact_ids=chunk)

    counts = contacts_push(client=hubspot, contact_ids=contact_ids,
                           profiles=webinar_contact_profiles,
                           read_ahead=ContactReadAhead(hubspot, mapped_properties_ensure(
                               client=hubspot, portal=portal)),
                           prepare=timelines_and_rollups)
    counts["events_pushed"] = marketing_events_push(client=hubspot, webinar=webinar)
    counts["attendance_recorded"] = attendance_push(client=hubspot, webinar=webinar)
    counts["events_cancelled"] = marketing_events_cancel(client=hubspot, webinar=webinar)
    return counts
