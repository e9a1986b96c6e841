"""Everything we write to HubSpot for webinars: properties, contacts, events, attendance.

Every write is batched, remembers what it sent, and is skipped when nothing changed, so running
a sync twice costs no HubSpot writes the second time.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from integrations.errors import InvalidRequest
from integrations.hubspot.client import BatchErrors, HubSpotClient
from integrations.models import HubSpotPortal, SyncSettings
from integrations.timefmt import epoch_ms, hubspot_datetime, parse_api_time
from webinars.models import AttendanceSession, Registrant, Webinar, WebinarInstance

from ..models import Activity, Contact
from .bulk import rows_update

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
# Contacts / activities read from the database at a time: a multiple of HubSpot's batch of
# 100, so only the last HubSpot batch of a listing is ever partly filled.
QUERY_CHUNK = 2000
ATTENDANCE_ORDER = [Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_ATTENDED,
                    Activity.Kind.WEBINAR_CANCELLED]  # as it happens: register, attend, cancel


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


# --- properties ---------------------------------------------------------------------------

def hubspot_properties_ensure(*, client: HubSpotClient, portal: HubSpotPortal,
                              force: bool = False) -> None:
    """Creates our property group and properties once per portal (and again if we add some):
    one call when they exist, three on a fresh portal."""
    if portal.properties_hash == PROPERTY_SCHEMA_HASH and not force:
        return
    existing = {p.get("name"): p for p in client.list_properties()}
    missing = [
        {"name": name, "label": label, "type": type_, "fieldType": field_type,
         "groupName": PROPERTY_GROUP["name"]}
        for name, label, type_, field_type in CONTACT_PROPERTIES if name not in existing
    ]
    if missing:
        if not any(p.get("groupName") == PROPERTY_GROUP["name"] for p in existing.values()):
            try:
                client.create_property_group(**PROPERTY_GROUP)
            except InvalidRequest as exc:
                if exc.status != 409:  # 409: the group exists (made by hand or another worker)
                    raise
        try:
            client.create_properties(missing)
        except InvalidRequest as exc:
            # Another worker created them a moment ago: fine when nothing is missing now.
            names = {p.get("name") for p in client.list_properties()}
            if exc.status != 409 or any(p["name"] not in names for p in missing):
                raise
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


class ContactReadAhead:
    """HubSpot's answer to "does this e-mail exist, and which of its profile fields are
    filled", asked while the sync is still reading Zoom.

    A sync's HubSpot calls are what the rate limit paces; the Zoom listing before them would
    leave the limit's budget idle. Contacts we have never pushed will be upserted whatever
    comes next, so reading them early wastes no call (and a re-sync with nothing new reads
    nothing). Reads go out 100 at a time; each answer is kept (a few dozen bytes) until
    `contacts_push` uses it.
    """

    def __init__(self, client: HubSpotClient):
        self.client = client
        self.batch = getattr(client, "batch_size", 100)
        self.pending: dict[str, None] = {}  # e-mails to read, in order
        self.answers: dict[str, frozenset | None] = {}  # None: not in HubSpot

    def add(self, emails) -> None:
        for email in emails:
            if email not in self.answers:
                self.pending[email] = None
        if len(self.pending) >= self.batch:
            emails = list(self.pending)
            full = len(emails) - len(emails) % self.batch
            self._read(emails[:full])
            self.pending = dict.fromkeys(emails[full:])

    def flush(self) -> None:
        if self.pending:
            self._read(list(self.pending))
            self.pending = {}

    def _read(self, emails: list[str]) -> None:
        found = self.client.read_contacts_by_email(
            emails, properties=["email", *PROFILE_PROPERTIES])
        for email in emails:
            self.answers[email] = _filled(found.get(email))

    def pop(self, email: str):
        """(True, answer) when read ahead, else (False, None)."""
        if email in self.answers:
            return True, self.answers.pop(email)
        return False, None


def _filled(contact: dict | None) -> frozenset | None:
    if contact is None:
        return None
    props = contact.get("properties") or {}
    return frozenset(name for name in PROFILE_PROPERTIES if props.get(name))


def contacts_never_pushed(*, contact_ids: list[int]) -> list[str]:
    """E-mails of these contacts that HubSpot has not had from us yet."""
    emails = []
    for start in range(0, len(contact_ids), QUERY_CHUNK):
        emails.extend(Contact.objects.filter(
            id__in=contact_ids[start:start + QUERY_CHUNK], hubspot_id="",
        ).values_list("email", flat=True))
    return emails


def contacts_push(*, client: HubSpotClient, contact_ids: list[int],
                  read_ahead: ContactReadAhead | None = None,
                  prepare: Callable[[list[int]], object] | None = None,
                  on_progress: Callable[[int], None] | None = None) -> dict:
    """Upserts the contacts whose properties changed since the last push.

    `prepare(chunk)` runs before each chunk is read (the sync recomputes roll-ups there), so
    database work alternates with HubSpot calls instead of keeping the rate limit idle.

    Reads the contacts a few thousand at a time; the changed ones go out in full batches of
    100 (what does not fill a batch waits for the next chunk), so HubSpot sees
    ceil(changed / 100) reads and upserts whatever the chunking — minus the reads done by
    `read_ahead`. `on_progress(n)` is told how many contacts were compared.
    """
    policy = SyncSettings.get_solo().contact_field_policy
    batch = getattr(client, "batch_size", 100)
    stats = {"contacts_pushed": 0, "contacts_created": 0}
    ids = sorted(set(contact_ids))
    pending: list[tuple[Contact, dict, str]] = []
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start:start + QUERY_CHUNK]
        if prepare:
            prepare(chunk)
        profiles = _profiles(chunk)
        for contact in Contact.objects.filter(id__in=chunk):
            desired = contact_desired_properties(contact, profiles.get(contact.id, {}))
            digest = _digest([policy, desired])
            if contact.hubspot_id and contact.pushed_hash == digest:
                continue
            pending.append((contact, desired, digest))
        full = len(pending) - len(pending) % batch
        if full:
            _contacts_send(client=client, policy=policy, items=pending[:full], stats=stats,
                           read_ahead=read_ahead)
            pending = pending[full:]
        if on_progress:
            on_progress(len(chunk))
    if pending:
        _contacts_send(client=client, policy=policy, items=pending, stats=stats,
                       read_ahead=read_ahead)
    return stats


def _contacts_send(*, client, policy, items, stats, read_ahead=None) -> None:
    filled = {}
    unread = []
    for contact, _, _ in items:
        known, answer = read_ahead.pop(contact.email) if read_ahead else (False, None)
        if known:
            filled[contact.email] = answer
        else:
            unread.append(contact.email)
    if unread:
        found = client.read_contacts_by_email(unread, properties=["email", *PROFILE_PROPERTIES])
        filled.update({email: _filled(found.get(email)) for email in unread})
    inputs = []
    for contact, desired, _ in items:
        current = filled[contact.email]
        props = dict(desired)
        props.pop("email")
        if current is None:
            props["zoomsync_source"] = SOURCE_VALUE
        elif policy == SyncSettings.FieldPolicy.FILL_EMPTY:
            for name in current:
                props.pop(name, None)
        inputs.append({"email": contact.email, "properties": props})
    results = client.upsert_contacts(inputs)
    by_email = {((r.get("properties") or {}).get("email") or "").lower(): r for r in results}
    now = timezone.now()
    for contact, desired, digest in items:
        result = by_email.get(contact.email)
        if result is None:
            raise InvalidRequest(f"HubSpot did not return contact {contact.email} from the upsert.")
        contact.hubspot_id = str(result["id"])
        if result.get("new"):
            contact.created_by_sync = True
            stats["contacts_created"] += 1
        contact.pushed_hash, contact.pushed_at = digest, now
        # the names we know, for our own timeline pages
        contact.first_name = desired.get("firstname", "")[:100]
        contact.last_name = desired.get("lastname", "")[:100]
    # One write per few thousand contacts. A crash before it only means these contacts are
    # upserted again next time: an upsert of the same values changes nothing in HubSpot.
    rows_update(model=Contact, objs=[c for c, _, _ in items],
                fields=["hubspot_id", "created_by_sync", "pushed_hash", "pushed_at",
                        "first_name", "last_name"])
    stats["contacts_pushed"] += len(items)


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
    """Creates or updates one marketing event per session, only when its details changed."""
    changed = []
    for instance in webinar.instances.all():
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
    batch = getattr(client, "batch_size", 100)
    account_id = webinar.zoom_account.zoom_account_id
    sent = 0
    for instance in webinar.instances.all():
        event_id = instance.external_event_id
        for kind in ATTENDANCE_ORDER:
            state = STATE_FOR_KIND[kind]
            last_id = 0
            while True:
                rows = list(Activity.objects.filter(
                    source_key=event_id, kind=kind, hubspot_pushed_at__isnull=True,
                    contact__hubspot_id__gt="", id__gt=last_id,
                ).order_by("id").values("id", "occurred_at", "details",
                                        "contact__email")[:QUERY_CHUNK])
                for start in range(0, len(rows), batch):
                    part = rows[start:start + batch]
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
                last_id = rows[-1]["id"]
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
