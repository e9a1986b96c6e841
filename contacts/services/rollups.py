"""Contact roll-up properties, exactly as the product spec (§5.2) defines them."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from webinars.models import AttendanceSession, Registrant, instance_length_seconds

from ..models import Contact
from .bulk import rows_update

QUERY_CHUNK = 2000


@dataclass
class Registration:
    webinar_id: int
    topic: str
    status: str
    registered_at: datetime | None
    join_url: str


@dataclass
class InstanceAttendance:
    topic: str
    start: datetime | None
    length_s: int
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class Rollups:
    webinar_registrations: int = 0
    webinars_attended: int = 0
    avg_attendance_pct: Decimal | None = None
    avg_attendance_minutes: Decimal | None = None
    last_registered_webinar: str = ""
    last_attended_webinar: str = ""
    last_join_url: str = ""


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
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    total = int(total)
    return min(total, length_s) if length_s > 0 else total


def rollups_compute(*, registrations: list[Registration],
                    attendances: list[InstanceAttendance]) -> Rollups:
    result = Rollups()
    counted = [r for r in registrations if r.status in ("approved", "pending")]
    result.webinar_registrations = len({r.webinar_id for r in counted})
    if counted:
        last = max(counted, key=lambda r: (r.registered_at is not None, r.registered_at))
        result.last_registered_webinar = last.topic
        result.last_join_url = last.join_url
    attended = []
    for instance in attendances:
        seconds = attended_seconds(instance.intervals, instance.length_s)
        if seconds > 0:
            attended.append((instance, seconds))
    result.webinars_attended = len(attended)
    if attended:
        pcts = [Fraction(s * 100, i.length_s) for i, s in attended if i.length_s > 0]
        if pcts:
            result.avg_attendance_pct = one_decimal(sum(pcts) / len(pcts))
        result.avg_attendance_minutes = one_decimal(
            Fraction(sum(s for _, s in attended), 60 * len(attended))
        )
        last = max(attended, key=lambda pair: (pair[0].start is not None, pair[0].start))
        result.last_attended_webinar = last[0].topic
    return result


ROLLUP_FIELDS = [
    "webinar_registrations", "webinars_attended", "avg_attendance_pct",
    "avg_attendance_minutes", "last_registered_webinar", "last_attended_webinar",
    "last_join_url",
]


def contact_rollups_refresh(*, contact_ids: list[int]) -> int:
    """Recomputes the roll-ups of these contacts over every synced webinar, a few thousand
    contacts per handful of queries; writes only the contacts whose roll-ups changed and
    returns how many did."""
    changed_total = 0
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start:start + QUERY_CHUNK]
        registrations = defaultdict(list)
        for row in Registrant.objects.filter(
            contact_id__in=chunk, webinar__sync_enabled=True
        ).values("contact_id", "webinar_id", "webinar__topic", "status", "registered_at",
                 "join_url"):
            registrations[row["contact_id"]].append(Registration(
                webinar_id=row["webinar_id"], topic=row["webinar__topic"],
                status=row["status"], registered_at=row["registered_at"],
                join_url=row["join_url"],
            ))
        attendances: dict[int, dict[int, InstanceAttendance]] = defaultdict(dict)
        for row in AttendanceSession.objects.filter(
            contact_id__in=chunk, instance__webinar__sync_enabled=True
        ).values("contact_id", "instance_id", "join_time", "leave_time",
                 "instance__webinar__topic", "instance__started_at",
                 "instance__scheduled_start", "instance__ended_at",
                 "instance__scheduled_duration"):
            per_contact = attendances[row["contact_id"]]
            instance = per_contact.get(row["instance_id"])
            if instance is None:
                started = row["instance__started_at"]
                length = instance_length_seconds(started, row["instance__ended_at"],
                                                 row["instance__scheduled_duration"])
                instance = per_contact[row["instance_id"]] = InstanceAttendance(
                    topic=row["instance__webinar__topic"],
                    start=started or row["instance__scheduled_start"], length_s=length,
                )
            if row["leave_time"]:
                instance.intervals.append((row["join_time"], row["leave_time"]))
        changed = []
        for contact in Contact.objects.filter(id__in=chunk):
            rollups = rollups_compute(
                registrations=registrations.get(contact.id, []),
                attendances=list(attendances.get(contact.id, {}).values()),
            )
            values = [getattr(rollups, name) for name in ROLLUP_FIELDS]
            if values != [getattr(contact, name) for name in ROLLUP_FIELDS]:
                for name, value in zip(ROLLUP_FIELDS, values, strict=True):
                    setattr(contact, name, value)
                changed.append(contact)
        rows_update(model=Contact, objs=changed, fields=[*ROLLUP_FIELDS, "updated_at"])
        changed_total += len(changed)
    return changed_total
