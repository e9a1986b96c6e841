"""Everything we write to HubSpot for webinars: properties, contacts, events, attendance.

Every write is batched, remembers what it sent, and is skipped when nothing changed, so running
a sync twice costs no HubSpot writes the second time.
"""

import hashlib
import json
from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.errors import InvalidRequest
from integrations.hubspot.client import HubSpotClient
from integrations.models import HubSpotPortal, SyncSettings
from integrations.timefmt import epoch_ms, hubspot_datetime, parse_api_time
from webinars.models import AttendanceSession, Registrant, Webinar, WebinarInstance

from ..models import Activity, Contact

PROPERTY_GROUP = {"name": "zoomsync", "label": "Zoom sync"}
SOURCE_VALUE = "Zoom Integration"
CONTACT_PROPERTIES = [
    ("zoomsync_webinar_registrations", "Zoom webinar registrations", "number", "number"),
    ("zoomsync_webinars_attended", "Zoom webinars attended", "number", "number"),
    ("zoomsync_avg_attendance_pct", "Average Zoom webinar attendance (%)", "number", "number"),
    ("zoomsync_avg_attendance_minutes", "Average Zoom webinar attendance (minutes)", "number",
     "number"),
    ("zoomsync_last_registered_webinar", "Last registered Zoom webinar", "string", "text"),
    ("zoomsync_last_attended_webinar", "Last attended Zoom webinar", "string", "text"),
    ("zoomsync_last_join_url", "Last Zoom webinar join URL", "string", "text"),
    ("zoomsync_source", "Created by Zoom sync", "string", "text"),
]
PROPERTY_SCHEMA_HASH = hashlib.sha256(
    json.dumps([PROPERTY_GROUP, CONTACT_PROPERTIES]).encode()
).hexdigest()[:16]
# Zoom registration fields that have a standard HubSpot contact property.
STANDARD_FIELD_MAP = {
    "org": "company", "job_title": "jobtitle", "phone": "phone", "address": "address",
    "city": "city", "state": "state", "zip": "zip", "country": "country",
    "industry": "industry",
}
# Properties that belong to the person, not to us: governed by the "don't overwrite" policy.
PROFILE_PROPERTIES = ["firstname", "lastname", *STANDARD_FIELD_MAP.values()]
STATE_FOR_KIND = {
    Activity.Kind.WEBINAR_REGISTERED: "register",
    Activity.Kind.WEBINAR_ATTENDED: "attend",
    Activity.Kind.WEBINAR_CANCELLED: "cancel",
}
QUERY_CHUNK = 500


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


# --- properties ---------------------------------------------------------------------------

def hubspot_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal,
                              force: bool = False) -> None:
    """Creates our property group and properties once per portal (and again if we add some)."""
    if portal.properties_hash == PROPERTY_SCHEMA_HASH and not force:
        return
    if not any(g.get("name") == PROPERTY_GROUP["name"] for g in client.list_property_groups()):
        client.create_property_group(**PROPERTY_GROUP)
    existing = {p.get("name") for p in client.list_properties()}
    client.create_properties([
        {"name": name, "label": label, "type": type_, "fieldType": field_type,
         "groupName": PROPERTY_GROUP["name"]}
        for name, label, type_, field_type in CONTACT_PROPERTIES if name not in existing
    ])
    portal.properties_hash = PROPERTY_SCHEMA_HASH
    portal.save(update_fields=["properties_hash"])


# --- contacts -----------------------------------------------------------------------------

def _profiles(contact_ids: list[int]) -> dict[int, dict]:
    """Name and standard fields from each contact's latest registration (or attendance)."""
    profiles: dict[int, dict] = {}
    latest = {}
    rows = Registrant.objects.filter(contact_id__in=contact_ids).values(
        "contact_id", "first_name", "last_name", "answers", "registered_at"
    )
    for row in rows:
        key = row["registered_at"]
        if row["contact_id"] in latest and key is not None and latest[row["contact_id"]] and (
            key <= latest[row["contact_id"]]
        ):
            continue
        latest[row["contact_id"]] = key
        profile = {"firstname": row["first_name"], "lastname": row["last_name"]}
        for zoom_field, prop in STANDARD_FIELD_MAP.items():
            profile[prop] = str(row["answers"].get(zoom_field, "") or "")
        profiles[row["contact_id"]] = profile
    missing = [cid for cid in contact_ids if cid not in profiles]
    if missing:
        for row in AttendanceSession.objects.filter(contact_id__in=missing).exclude(
            name=""
        ).values("contact_id", "name"):
            first, _, last = row["name"].partition(" ")
            profiles.setdefault(row["contact_id"], {"firstname": first, "lastname": last})
    return profiles


def contact_desired_properties(contact: Contact, profile: dict) -> dict[str, str]:
    props = {"email": contact.email}
    props.update({k: v for k, v in profile.items() if v})
    rollups = {
        "zoomsync_webinar_registrations": str(contact.webinar_registrations),
        "zoomsync_webinars_attended": str(contact.webinars_attended),
        "zoomsync_avg_attendance_pct": contact.avg_attendance_pct,
        "zoomsync_avg_attendance_minutes": contact.avg_attendance_minutes,
        "zoomsync_last_registered_webinar": contact.last_registered_webinar,
        "zoomsync_last_attended_webinar": contact.last_attended_webinar,
        "zoomsync_last_join_url": contact.last_join_url,
    }
    props.update({k: str(v) for k, v in rollups.items() if v not in (None, "")})
    return props


def contacts_push(*, client: HubSpotClient, contact_ids: list[int]) -> dict:
    """Upserts the contacts whose properties changed since the last push."""
    policy = SyncSettings.get_solo().contact_field_policy
    stats = {"contacts_pushed": 0, "contacts_created": 0}
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), QUERY_CHUNK * 2):
        chunk = ids[start:start + QUERY_CHUNK * 2]
        contacts = list(Contact.objects.filter(id__in=chunk))
        profiles = _profiles(chunk)
        changed = []
        for contact in contacts:
            desired = contact_desired_properties(contact, profiles.get(contact.id, {}))
            digest = _digest([policy, desired])
            if contact.hubspot_id and contact.pushed_hash == digest:
                continue
            changed.append((contact, desired, digest))
        if not changed:
            continue
        existing = client.read_contacts_by_email(
            [c.email for c, _, _ in changed], properties=["email", *PROFILE_PROPERTIES]
        )
        inputs = []
        for contact, desired, _ in changed:
            current = existing.get(contact.email)
            props = dict(desired)
            props.pop("email")
            if current is None:
                props["zoomsync_source"] = SOURCE_VALUE
            elif policy == SyncSettings.FieldPolicy.FILL_EMPTY:
                current_props = current.get("properties") or {}
                for name in PROFILE_PROPERTIES:
                    if current_props.get(name):
                        props.pop(name, None)
            inputs.append({"email": contact.email, "properties": props})
        results = client.upsert_contacts(inputs)
        by_email = {}
        for result in results:
            email = ((result.get("properties") or {}).get("email") or "").lower()
            by_email[email] = result
        now = timezone.now()
        for contact, _, digest in changed:
            result = by_email.get(contact.email)
            if result is None:
                raise InvalidRequest(
                    f"HubSpot did not return contact {contact.email} from the upsert."
                )
            contact.hubspot_id = str(result["id"])
            if result.get("new"):
                contact.created_by_sync = True
                stats["contacts_created"] += 1
            contact.pushed_hash, contact.pushed_at = digest, now
        Contact.objects.bulk_update(
            [c for c, _, _ in changed],
            ["hubspot_id", "created_by_sync", "pushed_hash", "pushed_at"], batch_size=500,
        )
        stats["contacts_pushed"] += len(changed)
    return stats


# --- marketing events and attendance ------------------------------------------------------

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
    instances = list(webinar.instances.all())
    changed = []
    for instance in instances:
        event = _event_input(instance, webinar)
        digest = _digest(event)
        if digest != instance.hubspot_event_hash:
            changed.append((instance, event, digest))
    if changed:
        client.upsert_marketing_events([event for _, event, _ in changed])
        for instance, _, digest in changed:
            instance.hubspot_event_hash = digest
        WebinarInstance.objects.bulk_update([i for i, _, _ in changed], ["hubspot_event_hash"])
    return len(changed)


def attendance_push(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Records each not-yet-pushed registration, attendance and cancellation once."""
    source_keys = [i.external_event_id for i in webinar.instances.all()]
    pending = list(
        Activity.objects.filter(
            Q(source_key__in=source_keys), kind__in=list(STATE_FOR_KIND),
            hubspot_pushed_at__isnull=True, contact__hubspot_id__gt="",
        ).select_related("contact").order_by("occurred_at", "id")
    )
    groups = defaultdict(list)
    for activity in pending:
        groups[(activity.source_key, STATE_FOR_KIND[activity.kind])].append(activity)
    account_id = webinar.zoom_account.zoom_account_id
    # register before attend before cancel, as it happened
    order = {"register": 0, "attend": 1, "cancel": 2}
    for (event_id, state), activities in sorted(groups.items(),
                                                key=lambda kv: (kv[0][0], order[kv[0][1]])):
        inputs = []
        for activity in activities:
            properties = {}
            if state == "attend":
                properties = {
                    "joinedAt": hubspot_datetime(parse_api_time(activity.details["joined_at"])),
                    "leftAt": hubspot_datetime(parse_api_time(activity.details["left_at"])),
                }
            inputs.append({
                "email": activity.contact.email,
                "interactionDateTime": epoch_ms(activity.occurred_at),
                "properties": properties,
                "contactProperties": {},
            })
        client.record_attendance(external_event_id=event_id, external_account_id=account_id,
                                 state=state, inputs=inputs)
        Activity.objects.filter(id__in=[a.id for a in activities]).update(
            hubspot_pushed_at=timezone.now()
        )
    return len(pending)


def marketing_events_complete(*, client: HubSpotClient, webinar: Webinar) -> int:
    """Marks ended sessions complete once (HubSpot then works out durations and no-shows)."""
    done = 0
    for instance in webinar.instances.filter(ended_at__isnull=False,
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
