"""A contact's webinar timeline: registered, attended, cancelled, no-show — one entry per
session.

Each registered/attended/cancelled entry is also one HubSpot marketing-event attendance record
(see hubspot_attendance), so `hubspot_pushed_at` on the entry is what makes attendance pushes
happen exactly once. The entries carry the facts the contact roll-ups are computed from.
"""

from collections import defaultdict

from contacts.models import Activity
from contacts.services.rollups import attended_seconds
from contacts.services.timeline import timeline_entries_apply
from integrations.batching import chunks

from ..models import AttendanceSession, Registrant, Webinar, WebinarInstance
from ..selectors import webinar_contact_ids

Kind = Activity.Kind
WEBINAR_KINDS = [Kind.WEBINAR_REGISTERED, Kind.WEBINAR_ATTENDED, Kind.WEBINAR_CANCELLED,
                 Kind.WEBINAR_NO_SHOW]
QUERY_CHUNK = 2000


def _instance_title(instance: WebinarInstance) -> str:
    when = instance.started_at or instance.scheduled_start
    topic = instance.webinar.topic
    return f"{topic} ({when:%Y-%m-%d %H:%M} UTC)" if when else topic


def _registered_for(registrant: dict, instance: WebinarInstance, attended: bool) -> bool:
    sessions = registrant["occurrence_ids"]
    if sessions is not None:
        # Registered per session: Zoom's list of each session says who registered for it.
        return instance.occurrence_id in sessions
    # A registration for every session covers those still ahead when the person registered.
    registered_at = registrant["registered_at"]
    if attended or not registered_at or not instance.scheduled_start:
        return True
    session_end = instance.ended_at or instance.scheduled_start
    return session_end >= registered_at


def webinar_timeline_refresh(*, webinar: Webinar, contact_ids: list[int] | None = None,
                             instances: list[WebinarInstance] | None = None) -> None:
    """Brings the webinar's timeline entries of these contacts (default: everyone linked to the
    webinar) up to date, a few thousand contacts per handful of queries."""
    if instances is None:
        instances = list(webinar.instances.select_related("webinar"))
    if contact_ids is None:
        contact_ids = webinar_contact_ids(webinar=webinar)
    ids = sorted(set(contact_ids))
    for chunk in chunks(ids, QUERY_CHUNK):
        _timeline_refresh_chunk(webinar=webinar, instances=instances, contact_ids=chunk)


def registration_source_key(webinar: Webinar) -> str:
    """Where a registration that covers none of the webinar's sessions is filed (registered
    after the last one ended): it counts as a registration but is no event's record."""
    return f"zoom-webinar-{webinar.zoom_id}-registration"


class _Wanted(dict):
    """The entries a webinar's facts call for, keyed like the stored ones."""

    def __init__(self, webinar: Webinar):
        super().__init__()
        self.webinar = webinar

    def add(self, contact_id, kind, occurred_at, details, *, instance=None) -> None:
        webinar = self.webinar
        if instance is not None:
            source_key, title = instance.external_event_id, _instance_title(instance)
            start = instance.started_at or instance.scheduled_start
        else:
            source_key, title = registration_source_key(webinar), webinar.topic
            start = webinar.start_time
        self[(contact_id, kind, source_key)] = Activity(
            contact_id=contact_id, kind=kind, occurred_at=occurred_at, title=title,
            source_key=source_key,
            details={"webinar_id": webinar.zoom_id, "topic": webinar.topic,
                     "start": start.isoformat() if start else None, **details},
        )


def _timeline_refresh_chunk(*, webinar, instances, contact_ids) -> None:
    wanted = _Wanted(webinar)
    attended_by = _attendances_want(wanted, webinar=webinar, instances=instances,
                                    contact_ids=contact_ids)
    registrants = webinar.registrants.filter(contact_id__in=contact_ids).exclude(
        status=Registrant.Status.DENIED
    ).values("contact_id", "zoom_registrant_id", "status", "registered_at", "join_url",
             "occurrence_ids", "cancelled_at")
    per_session = webinar.registers_per_session
    for registrant in registrants:
        if not per_session:
            # sessions a registrant picked count only while the webinar is registered per
            # session; registration for every session covers them all
            registrant["occurrence_ids"] = None
        _registration_want(wanted, registrant=registrant, instances=instances,
                           attended_by=attended_by)
    timeline_entries_apply(
        wanted=wanted, source_keys=[*(i.external_event_id for i in instances),
                                    registration_source_key(webinar)],
        kinds=WEBINAR_KINDS, contact_ids=contact_ids,
        # a no-show that later turns out to have attended (late data) is no longer a no-show;
        # a registration filed apart moves onto a session that appears later
        retractable_kinds=(Kind.WEBINAR_NO_SHOW,),
        retractable_source_keys=(registration_source_key(webinar),))


def _attendances_want(wanted: _Wanted, *, webinar, instances, contact_ids) -> set:
    """An "attended" entry per person and session with attended time; returns those pairs."""
    by_id = {i.id: i for i in instances}
    sessions = defaultdict(list)  # (contact id, instance id) -> intervals
    for row in AttendanceSession.objects.filter(
        instance__webinar=webinar, contact_id__in=contact_ids
    ).values("contact_id", "instance_id", "join_time", "leave_time"):
        if row["leave_time"]:
            sessions[(row["contact_id"], row["instance_id"])].append(
                (row["join_time"], row["leave_time"])
            )
    attended_by = set()
    for (contact_id, instance_id), intervals in sessions.items():
        instance = by_id[instance_id]
        if not instance.has_ended:
            # Rows from live joins and leaves: HubSpot appends attend records and never
            # amends one, so attendance is recorded once the session is over.
            continue
        length = instance.length_seconds
        seconds = attended_seconds(intervals, length)
        if seconds <= 0:
            continue
        attended_by.add((contact_id, instance_id))
        joined = min(start for start, _ in intervals)
        left = max(end for _, end in intervals)
        wanted.add(contact_id, Kind.WEBINAR_ATTENDED, joined, {
            "attended_seconds": seconds, "length_s": length,
            "attended_pct": round(seconds / length * 100, 1) if length else None,
            "joined_at": joined.isoformat(), "left_at": left.isoformat(),
        }, instance=instance)
    return attended_by


def _registration_want(wanted: _Wanted, *, registrant: dict, instances, attended_by) -> None:
    """"Registered" (and "cancelled" or "no-show") on each session the registration covers."""
    contact_id, registered_at = registrant["contact_id"], registrant["registered_at"]
    details = {"registrant_id": registrant["zoom_registrant_id"],
               "status": registrant["status"], "join_url": registrant["join_url"],
               "registered_at": registered_at.isoformat() if registered_at else None}
    covered = False
    for instance in instances:
        attended = (contact_id, instance.id) in attended_by
        occurred = registered_at or instance.scheduled_start
        if occurred is None or not _registered_for(registrant, instance, attended):
            continue
        covered = True
        wanted.add(contact_id, Kind.WEBINAR_REGISTERED, occurred, details, instance=instance)
        if registrant["status"] == Registrant.Status.CANCELLED:
            wanted.add(contact_id, Kind.WEBINAR_CANCELLED,
                       registrant["cancelled_at"] or occurred, details, instance=instance)
        elif instance.has_ended and not attended:
            wanted.add(contact_id, Kind.WEBINAR_NO_SHOW, instance.ended_at, details,
                       instance=instance)
    occurred = registered_at or wanted.webinar.start_time
    if not covered and occurred is not None:
        wanted.add(contact_id, Kind.WEBINAR_REGISTERED, occurred, details)
