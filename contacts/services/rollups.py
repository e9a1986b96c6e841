"""Contact roll-up properties, exactly as the product spec (§5.2) defines them, computed from
each contact's timeline.

A source writes the facts a roll-up needs into its timeline entries (webinar id and topic,
the session's start and length, seconds attended, the registration's status, time and join
URL), so roll-ups never read a source's own tables and every source adds to the same numbers.
Only webinars that were synced have entries, which is what "synced webinars" means here.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils.dateparse import parse_datetime

from integrations.batching import chunks

from ..models import Activity, Contact
from .bulk import rows_update

QUERY_CHUNK = 2000
COUNTED_STATUSES = ("approved", "pending")


@dataclass
class Registration:
    webinar_id: str
    topic: str
    status: str
    registered_at: datetime | None
    join_url: str


@dataclass
class InstanceAttendance:
    webinar_id: str
    topic: str
    start: datetime | None
    length_s: int
    attended_s: int = 0


@dataclass
class Rollups:
    webinar_registrations: int = 0
    webinars_attended: int = 0
    avg_attendance_pct: Decimal | None = None
    avg_attendance_minutes: Decimal | None = None
    last_registered_webinar: str = ""
    last_attended_webinar: str = ""
    last_join_url: str = ""


@dataclass
class Timeline:
    """The roll-up facts of one contact's timeline."""

    registrations: dict[str, Registration] = field(default_factory=dict)  # by webinar id
    attendances: list[InstanceAttendance] = field(default_factory=list)


def one_decimal(value: Fraction | int | float) -> Decimal:
    """Rounded half up to one decimal, exactly: averages are kept as fractions until here, so
    83.25 never turns into 83.2499999 on the way."""
    tenths = math.floor(Fraction(value) * 10 + Fraction(1, 2))
    return Decimal(tenths).scaleb(-1)


def attended_seconds(intervals: list[tuple[datetime, datetime]], length_s: int) -> int:
    """The union of join/leave intervals (overlaps merged, rejoins summed), capped at length."""
    total = 0
    current_start = current_end = None
    for start, end in sorted(intervals):
        # pragmas: a zero-length interval, or one that just touches the last, adds no time
        if end <= start:  # pragma: no mutate
            continue
        if current_end is None or start > current_end:  # pragma: no mutate
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    total = int(total)
    return min(total, length_s) if length_s > 0 else total


def _webinar_order(webinar_id: str) -> tuple[int, str]:
    # Zoom's ids are numbers of varying length: compare them as numbers.
    return (len(webinar_id), webinar_id)


def _latest(items, when):
    """The item with the latest time; on a tie the larger Zoom webinar id wins, so the
    result never depends on the order rows came from the database."""
    return max(items, key=lambda item: (when(item) is not None, when(item) or datetime.min,
                                        _webinar_order(item.webinar_id)))


def rollups_compute(*, registrations: list[Registration],
                    attendances: list[InstanceAttendance]) -> Rollups:
    result = Rollups()
    counted = [r for r in registrations if r.status in COUNTED_STATUSES]
    result.webinar_registrations = len({r.webinar_id for r in counted})
    if counted:
        last = _latest(counted, lambda r: r.registered_at)
        result.last_registered_webinar = last.topic
        result.last_join_url = last.join_url
    attended = [a for a in attendances if a.attended_s > 0]
    result.webinars_attended = len(attended)
    if attended:
        pcts = [Fraction(a.attended_s * 100, a.length_s) for a in attended if a.length_s > 0]
        if pcts:
            result.avg_attendance_pct = one_decimal(sum(pcts) / len(pcts))
        result.avg_attendance_minutes = one_decimal(
            Fraction(sum(a.attended_s for a in attended), 60 * len(attended))
        )
        result.last_attended_webinar = _latest(attended, lambda a: a.start).topic
    return result


ROLLUP_FIELDS = [
    "webinar_registrations", "webinars_attended", "avg_attendance_pct",
    "avg_attendance_minutes", "last_registered_webinar", "last_attended_webinar",
    "last_join_url",
]


def _when(value) -> datetime | None:
    return parse_datetime(value) if value else None


ROLLUP_KINDS = [Activity.Kind.WEBINAR_REGISTERED, Activity.Kind.WEBINAR_ATTENDED]


def _timelines(contact_ids: list[int]) -> dict[int, Timeline]:
    timelines: dict[int, Timeline] = defaultdict(Timeline)
    # (The filters are not mutated: only these contacts' timelines are read back, and other
    # kinds of entries have no attended time; they only spare reading rows.)
    rows = Activity.objects.filter(
        contact_id__in=contact_ids,  # pragma: no mutate
        kind__in=ROLLUP_KINDS,  # pragma: no mutate
    ).values_list("contact_id", "kind", "details")
    for contact_id, kind, details in rows:
        timeline = timelines[contact_id]
        # (every entry a source writes has its webinar id and, if a registration, a status:
        # the defaults are not mutated)
        webinar_id = str(details.get("webinar_id") or "")  # pragma: no mutate
        if kind == Activity.Kind.WEBINAR_REGISTERED:
            # a recurring webinar's registration is on each of its sessions: it counts once
            timeline.registrations[webinar_id] = Registration(
                webinar_id=webinar_id, topic=details.get("topic", ""),
                status=details.get("status", ""),  # pragma: no mutate
                registered_at=_when(details.get("registered_at")),
                join_url=details.get("join_url", ""),
            )
        else:
            timeline.attendances.append(InstanceAttendance(
                webinar_id=webinar_id, topic=details.get("topic", ""),
                start=_when(details.get("start")), length_s=int(details.get("length_s") or 0),
                attended_s=int(details.get("attended_seconds") or 0),
            ))
    return timelines


def contact_rollups_refresh(*, contact_ids: list[int]) -> int:
    """Recomputes the roll-ups of these contacts from their timelines, a few thousand
    contacts per handful of queries; writes only the contacts whose roll-ups changed and
    returns how many did.

    Two syncs of different webinars may share people. Each chunk's rows are locked (in id
    order, so two syncs never wait on each other in a circle) before its timelines are read,
    so a refresh always sees every timeline entry committed before it and the last refresh
    of a person is never overwritten by an older one. The lock leaves the timeline's own
    writes alone (they only reference the rows)."""
    changed_total = 0
    ids = sorted(set(contact_ids))
    for chunk in chunks(ids, QUERY_CHUNK):
        with transaction.atomic():
            changed_total += _rollups_refresh_chunk(chunk)
    return changed_total


def _rollups_refresh_chunk(chunk: list[int]) -> int:
    contacts = list(Contact.objects.select_for_update(no_key=True).filter(id__in=chunk)
                    .order_by("id"))
    timelines = _timelines(chunk)
    changed = []
    for contact in contacts:
        timeline = timelines.get(contact.id) or Timeline()
        rollups = rollups_compute(registrations=list(timeline.registrations.values()),
                                  attendances=timeline.attendances)
        values = [getattr(rollups, name) for name in ROLLUP_FIELDS]
        if values != [getattr(contact, name) for name in ROLLUP_FIELDS]:
            for name, value in zip(ROLLUP_FIELDS, values, strict=True):
                setattr(contact, name, value)
            changed.append(contact)
    rows_update(model=Contact, objs=changed, fields=[*ROLLUP_FIELDS, "updated_at"])
    return len(changed)
