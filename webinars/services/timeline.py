"""A contact's webinar timeline: registered, attended, cancelled, no-show — one entry per
session.

Each registered/attended/cancelled entry is also one HubSpot marketing-event attendance record
(see hubspot_events), so `hubspot_pushed_at` on the entry is what makes attendance pushes
happen exactly once. The entries carry the facts the contact roll-ups are computed from.
"""

from collections import defaultdict

from contacts.models import Activity
from contacts.services.rollups import attended_seconds
from contacts.services.timeline import timeline_entries_apply

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


def _registered_for(registered_at, instance: WebinarInstance, attended: bool) -> bool:
    # A registration covers the sessions still ahead when the person registered.
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
    for start in range(0, len(ids), QUERY_CHUNK):
        _timeline_refresh_chunk(webinar=webinar, instances=instances,
                                  contact_ids=ids[start:start + QUERY_CHUNK])


def _timeline_refresh_chunk(*, webinar, instances, contact_ids) -> None:
    by_id = {i.id: i for i in instances}
    sessions = defaultdict(list)  # (contact id, instance id) -> intervals
    for row in AttendanceSession.objects.filter(
        instance__webinar=webinar, contact_id__in=contact_ids
    ).values("contact_id", "instance_id", "join_time", "leave_time"):
        if row["leave_time"]:
            sessions[(row["contact_id"], row["instance_id"])].append(
                (row["join_time"], row["leave_time"])
            )
    wanted: dict[tuple[int, str, str], Activity] = {}

    def want(contact_id, kind, instance, occurred_at, details):
        key = (contact_id, kind, instance.external_event_id)
        start = instance.started_at or instance.scheduled_start
        wanted[key] = Activity(
            contact_id=contact_id, kind=kind, occurred_at=occurred_at,
            title=_instance_title(instance), source_key=instance.external_event_id,
            details={"webinar_id": webinar.zoom_id, "topic": webinar.topic,
                     "start": start.isoformat() if start else None, **details},
        )

    attended_by = {}
    for (contact_id, instance_id), intervals in sessions.items():
        instance = by_id[instance_id]
        length = instance.length_seconds
        seconds = attended_seconds(intervals, length)
        if seconds <= 0:
            continue
        attended_by[(contact_id, instance_id)] = seconds
        joined = min(start for start, _ in intervals)
        left = max(end for _, end in intervals)
        want(contact_id, Kind.WEBINAR_ATTENDED, instance, joined, {
            "attended_seconds": seconds, "length_s": length,
            "attended_pct": round(seconds / length * 100, 1) if length else None,
            "joined_at": joined.isoformat(), "left_at": left.isoformat(),
        })

    registrants = webinar.registrants.filter(contact_id__in=contact_ids).exclude(
        status=Registrant.Status.DENIED
    ).values("contact_id", "zoom_registrant_id", "status", "registered_at", "join_url")
    for registrant in registrants:
        contact_id = registrant["contact_id"]
        for instance in instances:
            attended = (contact_id, instance.id) in attended_by
            if not _registered_for(registrant["registered_at"], instance, attended):
                continue
            occurred = registrant["registered_at"] or instance.scheduled_start
            if occurred is None:
                continue
            registered_at = registrant["registered_at"]
            details = {"registrant_id": registrant["zoom_registrant_id"],
                       "status": registrant["status"], "join_url": registrant["join_url"],
                       "registered_at": registered_at.isoformat() if registered_at else None}
            want(contact_id, Kind.WEBINAR_REGISTERED, instance, occurred, details)
            if registrant["status"] == Registrant.Status.CANCELLED:
                want(contact_id, Kind.WEBINAR_CANCELLED, instance, occurred, details)
            elif instance.has_ended and not attended:
                want(contact_id, Kind.WEBINAR_NO_SHOW, instance, instance.ended_at, details)

    timeline_entries_apply(
        wanted=wanted, source_keys=[i.external_event_id for i in instances],
        kinds=WEBINAR_KINDS, contact_ids=contact_ids,
        # a no-show that later turns out to have attended (late data) is no longer a no-show
        retractable_kinds=(Kind.WEBINAR_NO_SHOW,))
