"""A webinar's side of HubSpot: one marketing event per session, with each registration,
attendance and cancellation recorded on it once, and the event completed once its attendance
is in.

Every write is batched, remembers what it sent, and is skipped when nothing changed, so
running a sync twice costs no HubSpot writes the second time.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from contacts.models import Activity
from integrations.batching import chunks
from integrations.digest import payload_digest
from integrations.errors import BatchErrors
from integrations.hubspot.client import HubSpotClient
from integrations.timefmt import epoch_ms, hubspot_datetime, parse_api_time

from ..models import Webinar, WebinarInstance

STATE_FOR_KIND = {
    Activity.Kind.WEBINAR_REGISTERED: "register",
    Activity.Kind.WEBINAR_ATTENDED: "attend",
    Activity.Kind.WEBINAR_CANCELLED: "cancel",
}
ATTENDANCE_ORDER = [Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_ATTENDED,
                    Activity.Kind.WEBINAR_CANCELLED]  # as it happens: register, attend, cancel
# Records read from the database at a time: a multiple of HubSpot's batch of 100.
QUERY_CHUNK = 2000


def _event_input(instance: WebinarInstance, webinar: Webinar) -> dict:
    start = instance.started_at or instance.scheduled_start
    end = instance.ended_at or (start + timedelta(minutes=instance.scheduled_duration)
                                if start else None)
    name = webinar.topic
    if webinar.is_recurring and start:
        name = f"{webinar.topic} ({start:%Y-%m-%d})"
    event = {
        "externalAccountId": webinar.zoom_account.zoom_account_id,
        "externalEventId": instance.external_event_id,
        "eventName": name[:250],
        "eventOrganizer": webinar.host_email or webinar.zoom_account.name,
        "eventType": "WEBINAR",
        "eventUrl": webinar.join_url,
        "eventDescription": (webinar.raw.get("agenda") or "")[:1000],
        "customProperties": [],
    }
    if start:
        event["startDateTime"] = hubspot_datetime(start)
    if end:
        event["endDateTime"] = hubspot_datetime(end)
    return event


def marketing_events_push(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Creates or updates one marketing event per session, only when its details changed."""
    changed = []
    for instance in webinar.instances.all():
        event = _event_input(instance, webinar)
        digest = payload_digest(event)
        if digest != instance.hubspot_event_hash:
            changed.append((instance, event, digest))
    if changed:
        client.upsert_marketing_events([event for _, event, _ in changed])
        for instance, _, digest in changed:
            instance.hubspot_event_hash = digest
        WebinarInstance.objects.bulk_update([i for i, _, _ in changed], ["hubspot_event_hash"])
    return len(changed)


def attendance_pending_count(*, webinar: Webinar) -> int:
    return Activity.objects.filter(
        source_key__in=[i.external_event_id for i in webinar.instances.all()],
        kind__in=ATTENDANCE_ORDER, hubspot_pushed_at__isnull=True, contact__hubspot_id__gt="",
    ).count()


def attendance_push(*, client: HubSpotClient, webinar: Webinar,
                    on_progress: Callable[[int], None] | None = None) -> int:
    """Records each not-yet-pushed registration, attendance and cancellation once.

    Per session and state, the records are read a few thousand at a time (by id, so memory
    stays flat) and sent 100 per call; each call is marked in the database as soon as HubSpot
    accepted it, so an interrupted sync resends at most the batch in flight.
    """
    batch = client.batch_size
    account_id = webinar.zoom_account.zoom_account_id
    sent = 0
    for instance in webinar.instances.all():
        event_id = instance.external_event_id
        for kind in ATTENDANCE_ORDER:
            state = STATE_FOR_KIND[kind]
            while True:
                # what was sent is marked as pushed, so each query reads the next rows
                rows = list(Activity.objects.filter(
                    source_key=event_id, kind=kind, hubspot_pushed_at__isnull=True,
                    contact__hubspot_id__gt="",
                ).order_by("id").values("id", "occurred_at", "details",
                                        "contact__email")[:QUERY_CHUNK])
                for part in chunks(rows, batch):
                    try:
                        client.record_attendance(
                            external_event_id=event_id, external_account_id=account_id,
                            state=state, inputs=[_attendance_input(row, state) for row in part],
                        )
                    except BatchErrors as exc:
                        # HubSpot recorded the others: mark them, so only the rejected
                        # records are tried again (attendance records are not idempotent).
                        failed = {i.lower() for i in exc.failed_ids}
                        _attendance_mark_pushed([row["id"] for row in part
                                                 if row["contact__email"] not in failed])
                        raise
                    _attendance_mark_pushed([row["id"] for row in part])
                    sent += len(part)
                    if on_progress:
                        on_progress(len(part))
                if len(rows) < QUERY_CHUNK:
                    break
    return sent


def _attendance_mark_pushed(ids: list[int]) -> None:
    Activity.objects.filter(id__in=ids).update(hubspot_pushed_at=timezone.now())


def _attendance_input(row: dict, state: str) -> dict:
    properties = {}
    if state == "attend":
        properties = {
            "joinedAt": hubspot_datetime(parse_api_time(row["details"]["joined_at"])),
            "leftAt": hubspot_datetime(parse_api_time(row["details"]["left_at"])),
        }
    return {
        "email": row["contact__email"],
        "interactionDateTime": epoch_ms(row["occurred_at"]),
        "properties": properties,
        "contactProperties": {},
    }


def marketing_events_complete(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Marks a session's event complete once, when it has ended and its attendance is stored
    and pushed (HubSpot then works out durations and no-shows). A session whose attendance
    Zoom has not finished is left open and completed by a later sync."""
    done = 0
    for instance in webinar.instances.filter(ended_at__isnull=False,
                                             participants_synced_at__isnull=False,
                                             hubspot_completed_at__isnull=True):
        start = instance.started_at or instance.scheduled_start
        client.complete_marketing_event(
            external_event_id=instance.external_event_id,
            external_account_id=webinar.zoom_account.zoom_account_id,
            start=hubspot_datetime(start), end=hubspot_datetime(instance.ended_at),
        )
        instance.hubspot_completed_at = timezone.now()
        instance.save(update_fields=["hubspot_completed_at"])
        done += 1
    return done
