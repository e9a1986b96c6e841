"""A webinar's side of HubSpot: one marketing event per session, carrying the webinar's facts
(id, occurrence, topic) in our own event properties, completed once its attendance is in and
again whenever more attendance was recorded after that (hubspot_attendance records it).

Every write is safe to repeat and remembers what it sent, so running a sync twice costs no
HubSpot writes the second time, and a sync cut short only repeats harmless writes.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Max
from django.utils import timezone

from contacts.models import Activity
from integrations.digest import payload_digest
from integrations.errors import InvalidRequest
from integrations.hubspot.client import HubSpotClient
from integrations.models import HubSpotPortal
from integrations.text import text_cut
from integrations.timefmt import hubspot_datetime

from ..models import Lifecycle, Webinar, WebinarInstance
from .hubspot_attendance import ATTENDANCE_ORDER

# Our properties on HubSpot's marketing-event object, so contacts can be segmented by the
# facts of the webinars they took part in (HubSpot drops custom properties it does not know).
EVENT_PROPERTY_GROUP = {"name": "zoomsync", "label": "Zoom sync"}
EVENT_PROPERTIES = [
    ("zoomsync_webinar_id", "Zoom webinar ID"),
    ("zoomsync_occurrence_id", "Zoom occurrence ID"),
    ("zoomsync_webinar_topic", "Zoom webinar topic"),
]
# HubSpot's longest event name, and what we send of longer texts (description, topic).
EVENT_NAME_LIMIT = 250
TEXT_LIMIT = 1000
EVENT_PROPERTY_SCHEMA_HASH = hashlib.sha256(
    json.dumps([EVENT_PROPERTY_GROUP, EVENT_PROPERTIES]).encode()).hexdigest()[:16]


def marketing_event_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal) -> None:
    """Creates our marketing-event property group and properties once per portal (and again
    when we add some): two calls on a fresh portal, none afterwards."""
    if portal.event_properties_hash == EVENT_PROPERTY_SCHEMA_HASH:
        return
    kind = "marketing_events"
    wanted = [{"name": name, "label": label, "type": "string", "fieldType": "text",
               "groupName": EVENT_PROPERTY_GROUP["name"]} for name, label in EVENT_PROPERTIES]
    try:
        client.create_property_group(**EVENT_PROPERTY_GROUP, object_type=kind)
    except InvalidRequest as exc:
        if exc.status != 409:  # 409: the group exists (an earlier version, or by hand)
            raise
    try:
        client.create_properties(wanted, object_type=kind)
    except InvalidRequest as exc:
        if exc.status != 409:
            raise
        # some exist already: create only the others
        existing = {p.get("name") for p in client.list_properties(kind)}
        client.create_properties([p for p in wanted if p["name"] not in existing],
                                 object_type=kind)
    portal.event_properties_hash = EVENT_PROPERTY_SCHEMA_HASH
    portal.save(update_fields=["event_properties_hash"])


def webinar_zone(webinar: Webinar) -> tzinfo:
    """The webinar's own time zone (Zoom's IANA name), UTC when Zoom gave none we know."""
    try:
        return ZoneInfo(webinar.timezone) if webinar.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def event_name(*, webinar: Webinar, start: datetime | None) -> str:
    """The webinar's topic; for a session of a recurring webinar, followed by its date where
    the webinar takes place (a 23:00 New York session is on that New York day, not the next
    UTC one). A topic too long for HubSpot is cut before the date, on a grapheme boundary."""
    if not (webinar.is_recurring and start):
        return text_cut(webinar.topic, EVENT_NAME_LIMIT)
    suffix = f" ({start.astimezone(webinar_zone(webinar)):%Y-%m-%d})"
    return text_cut(webinar.topic, EVENT_NAME_LIMIT - len(suffix)) + suffix


def _event_input(instance: WebinarInstance, webinar: Webinar) -> dict:
    start = instance.started_at or instance.scheduled_start
    end = instance.ended_at or (start + timedelta(minutes=instance.scheduled_duration)
                                if start else None)
    event = {
        "externalAccountId": webinar.zoom_account.zoom_account_id,
        "externalEventId": instance.external_event_id,
        "eventName": event_name(webinar=webinar, start=start),
        "eventOrganizer": webinar.host_email or webinar.zoom_account.name,
        "eventType": "WEBINAR",
        "eventUrl": webinar.join_url,
        "eventDescription": text_cut(webinar.raw.get("agenda") or "", TEXT_LIMIT),
        "customProperties": {k: v for k, v in (
            ("zoomsync_webinar_id", webinar.zoom_id),
            ("zoomsync_occurrence_id", instance.occurrence_id),
            ("zoomsync_webinar_topic", text_cut(webinar.topic, TEXT_LIMIT))) if v},
    }
    if start:
        event["startDateTime"] = hubspot_datetime(start)
    if end:
        event["endDateTime"] = hubspot_datetime(end)
    return event


def marketing_events_push(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Creates or updates one marketing event per session, only when its details changed.

    A session whose event was cancelled and that took place after all (Zoom reported it late,
    or the webinar was restored or moved) has its event reopened."""
    changed = []
    for instance in webinar.instances.all():
        event = _event_input(instance, webinar)
        digest = payload_digest(event)
        reopen = (instance.hubspot_cancelled_at is not None
                  and instance.lifecycle == Lifecycle.ACTIVE)
        if reopen:
            event["eventCancelled"] = False
        if digest != instance.hubspot_event_hash or reopen:
            changed.append((instance, event, digest))
    if changed:
        client.upsert_marketing_events([event for _, event, _ in changed])
        for instance, event, digest in changed:
            instance.hubspot_event_hash = digest
            if "eventCancelled" in event:
                instance.hubspot_cancelled_at = None
        WebinarInstance.objects.bulk_update([i for i, _, _ in changed],
                                            ["hubspot_event_hash", "hubspot_cancelled_at"])
    return len(changed)


def marketing_events_cancel(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Cancels, once, the event of each session that will not take place: deleted in Zoom
    (the webinar or its occurrence) or not held. Its records stay in HubSpot."""
    instances = webinar.instances.exclude(lifecycle=Lifecycle.ACTIVE).filter(
        hubspot_cancelled_at__isnull=True).exclude(hubspot_event_hash="")
    done = 0
    for instance in instances:
        client.cancel_marketing_event(
            external_event_id=instance.external_event_id,
            external_account_id=webinar.zoom_account.zoom_account_id)
        instance.hubspot_cancelled_at = timezone.now()
        instance.save(update_fields=["hubspot_cancelled_at"])
        done += 1
    return done


def marketing_events_complete(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Marks a session's event complete when it has ended and its attendance is stored and
    pushed: HubSpot then works out each attendee's duration and percentage, and the no-shows,
    from the records it has. An event is completed once, and again only when attendance was
    recorded on it after that (Zoom's late data), so HubSpot's figures cover every record. A
    session whose attendance Zoom has not finished is left open for a later sync."""
    instances = list(webinar.instances.filter(ended_at__isnull=False,
                                              participants_synced_at__isnull=False))
    last_recorded = dict(Activity.objects.filter(
        source_key__in=[i.external_event_id for i in instances], kind__in=ATTENDANCE_ORDER,
    ).order_by().values("source_key").annotate(last=Max("hubspot_pushed_at"))
        .values_list("source_key", "last"))
    done = 0
    for instance in instances:
        completed = instance.hubspot_completed_at
        recorded = last_recorded.get(instance.external_event_id)
        if completed is not None and (recorded is None or recorded <= completed):
            continue
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
