"""A webinar's held sessions read from Zoom into the mirror: each session's report (actual
start and end), then its participant rows, streamed a few pages per bulk write."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from contacts.services.hubspot_contacts import ContactReadAhead, contacts_never_pushed
from integrations.services.zoom_users import AccountUsers
from integrations.timefmt import parse_api_time

from ..models import Lifecycle, Webinar, WebinarInstance
from .mirror import (
    PARTICIPANT_WAITING_ROOM,
    attendance_sessions_discard,
    attendance_sessions_prune,
    attendance_sessions_sync_from_zoom,
    webinar_instance_sync_from_zoom,
)
from .pages import rows_batched

if TYPE_CHECKING:
    from .sync import SyncProgress

# Zoom finishes a session's participant report within hours of its end; until this long after
# the end, a row with no duration means "not computed yet", not "stayed zero seconds".
ATTENDANCE_SETTLE = timedelta(hours=24)


def attendance_import(*, zoom, webinar: Webinar, excluded: set[str],
                       panelists: frozenset[str], account_users: AccountUsers,
                       read_ahead: ContactReadAhead, progress: SyncProgress) -> dict:
    """Each held session: its report (actual start and end), then its participant rows.

    A session whose attendance Zoom has not finished (no report yet, or rows without a duration
    shortly after the end) stores nothing and is fetched again next time; one whose complete
    list was stored well after the end is final and costs no call any more — under every uuid
    Zoom lists for it (a session the host restarted has two, whose rows add up to its
    attendance).
    """
    counts = {"sessions_held": 0, "participant_rows": 0, "sessions_waiting": 0}
    if not _may_have_been_held(webinar):
        return counts
    held = zoom.list_past_instances(webinar.zoom_id)
    if webinar.lifecycle == Lifecycle.DELETED:
        # Zoom may stop listing a deleted webinar's sessions: the ones we know (from earlier
        # syncs, or the history report a backfill read) are still in its reports.
        listed = {item["uuid"] for item in held}
        held += [{"uuid": uuid, "start_time": i.started_at.isoformat() if i.started_at
                  else None} for i in webinar.instances.all() for uuid in i.zoom_uuids
                 if uuid not in listed]
    by_uuid = {uuid: i for i in webinar.instances.all() for uuid in i.zoom_uuids}
    waiting: dict[int, str] = {}
    stored: dict[int, WebinarInstance] = {}
    sessions: set[int] = set()
    for item in held:
        uuid = item["uuid"]
        known = by_uuid.get(uuid)
        if known is not None and attendance_final(known):
            sessions.add(known.pk)
            continue
        report = zoom.get_webinar_report(uuid)
        instance = webinar_instance_sync_from_zoom(
            webinar=webinar, uuid=uuid, report=report,
            start_time=parse_api_time(item.get("start_time")),
        )
        sessions.add(instance.pk)
        was_ready = instance.participants_synced_at is not None
        if report is None or not report.get("end_time"):
            if not was_ready:
                waiting[instance.pk] = "Zoom's report for this session is not available yet."
                stored.pop(instance.pk, None)
            continue
        progress.expect_more("participants", int(report.get("participants_count") or 0))
        reason, rows = _participants_import(
            zoom=zoom, instance=instance, uuid=uuid, check_settled=not was_ready,
            excluded=excluded, panelists=panelists, account_users=account_users,
            read_ahead=read_ahead, progress=progress)
        counts["participant_rows"] += rows
        if reason:
            waiting[instance.pk] = reason
            stored.pop(instance.pk, None)
        elif instance.pk not in waiting:
            stored[instance.pk] = instance
    now = timezone.now()
    for instance in stored.values():
        instance.participants_synced_at, instance.attendance_waiting = now, ""
        instance.save(update_fields=["participants_synced_at", "attendance_waiting"])
    if waiting:
        for instance in WebinarInstance.objects.filter(pk__in=list(waiting)):
            instance.attendance_waiting = waiting[instance.pk][:200]
            instance.save(update_fields=["attendance_waiting"])
    counts["sessions_held"] = len(sessions)
    counts["sessions_waiting"] = len(waiting)
    return counts


def _may_have_been_held(webinar: Webinar) -> bool:
    if webinar.is_recurring or webinar.start_time is None:
        return True
    return webinar.start_time <= timezone.now()


def attendance_final(instance: WebinarInstance) -> bool:
    """Stored complete after Zoom's report had settled: nothing will change any more."""
    return bool(instance.participants_synced_at and instance.ended_at
                and instance.participants_synced_at >= instance.ended_at + ATTENDANCE_SETTLE)


def _unsettled(row: dict) -> bool:
    # a wait in the waiting room never counts, computed or not
    if row.get("status") == PARTICIPANT_WAITING_ROOM:
        return False
    return not row.get("leave_time") or not int(row.get("duration") or 0)


def _participants_import(*, zoom, instance: WebinarInstance, uuid: str, check_settled: bool,
                         excluded: set[str], panelists: frozenset[str],
                         account_users: AccountUsers, read_ahead: ContactReadAhead,
                         progress: SyncProgress) -> tuple[str, int]:
    """Streams one held session's participant rows into the mirror. Returns ("", rows) when the
    complete list is stored, or (why not, 0) when Zoom has not finished it."""
    recent = instance.ended_at is not None and (
        timezone.now() - instance.ended_at < ATTENDANCE_SETTLE)
    seen_at = timezone.now()
    rows_stored = 0

    def pages():
        for page in zoom.iter_participant_pages(uuid):
            progress.advance("participants", len(page))
            yield page

    for rows in rows_batched(pages()):
        if check_settled and recent and any(_unsettled(row) for row in rows):
            attendance_sessions_discard(instance=instance, uuid=uuid)
            return "Zoom is still computing this session's attendance durations.", 0
        mirrored = attendance_sessions_sync_from_zoom(
            instance=instance, uuid=uuid, rows=rows, seen_at=seen_at, excluded_domains=excluded,
            panelists=panelists, account_users=account_users)
        rows_stored += mirrored.rows
        # attendees who did not register are new contacts too
        unregistered = [cid for email, cid in mirrored.contact_ids.items()
                        if email not in read_ahead.answers]
        read_ahead.add(contacts_never_pushed(contact_ids=unregistered))
    attendance_sessions_prune(instance=instance, uuid=uuid, seen_at=seen_at)
    return "", rows_stored
