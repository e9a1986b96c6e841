"""What Zoom's webinar webhooks change in the mirror.

Zoom delivers late, twice and out of order. Each change is therefore applied only when it is
newer (Zoom's event_ts) than the last one applied to the same webinar or registrant, and
joins and leaves are kept as events from which a participant's attendance rows are rebuilt in
time order — so any order of the same deliveries ends in the state of the in-order one.
"""

from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django_q.models import Schedule
from django_q.tasks import schedule

from contacts.services.people import email_normalise
from integrations.models import SyncSettings, ZoomAccount
from integrations.services.zoom_users import zoom_users_mirrored
from integrations.timefmt import parse_api_time

from ..models import (
    AttendanceSession,
    Lifecycle,
    ParticipantEvent,
    Registrant,
    Webinar,
    WebinarInstance,
)
from .lifecycle import webinar_lifecycle_set, webinar_lifecycle_update
from .mirror import (
    attendance_sessions_sync_from_zoom,
    registrants_sync_from_zoom,
    webinar_instance_sync_from_zoom,
    webinar_instances_plan,
    webinar_sync_from_zoom,
)

RECONCILE_TASK = "webinars.tasks.reconcile_webinar"


def event_moment(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts / 1000, tz=UTC) if ts else None


def _newer(ts: int | None, applied: int | None) -> bool:
    # an event without a time cannot be ordered: it is applied, as Zoom sent it
    return ts is None or applied is None or ts >= applied


# --- the webinar itself -------------------------------------------------------------------

def webinar_webhook_created(*, account: ZoomAccount, data: dict, ts: int | None) -> Webinar:
    """Mirrors a new webinar (its Sync box ticked when auto-sync is on)."""
    webinar = webinar_sync_from_zoom(account=account, data=data, just_created=True)
    Webinar.objects.filter(pk=webinar.pk, zoom_event_ts__isnull=True).update(zoom_event_ts=ts)
    webinar_instances_plan(webinar=webinar)
    return webinar


def webinar_webhook_updated(*, webinar: Webinar, changes: dict, ts: int | None,
                            scope: str = "") -> bool:
    """Applies the changed fields; False when a newer change was applied already. A change of
    one occurrence of a recurring webinar (scope "single") changes only that occurrence."""
    with transaction.atomic():
        webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
        if not _newer(ts, webinar.zoom_event_ts):
            return False
        changes = {k: v for k, v in changes.items() if k != "old_object"}
        data = {**webinar.raw, **changes}
        if scope == "single" and changes.get("occurrences") and webinar.raw.get("occurrences"):
            by_id = {str(o.get("occurrence_id")): o for o in changes["occurrences"]}
            data["occurrences"] = [{**o, **by_id.get(str(o.get("occurrence_id")), {})}
                                   for o in webinar.raw["occurrences"]]
        if "settings" in changes:
            data["settings"] = {**(webinar.raw.get("settings") or {}), **changes["settings"]}
        webinar = webinar_sync_from_zoom(account=webinar.zoom_account, data=data)
        Webinar.objects.filter(pk=webinar.pk).update(zoom_event_ts=ts)
    webinar_instances_plan(webinar=webinar)
    webinar_lifecycle_update(webinar=webinar)
    return True


def webinar_webhook_deleted(*, webinar: Webinar, data: dict, ts: int | None,
                            operation: str = "") -> bool:
    """Marks the webinar (or the occurrences named, for a single occurrence of a recurring
    one) deleted; their events are cancelled by the next push. What was mirrored stays."""
    with transaction.atomic():
        webinar = Webinar.objects.select_for_update().get(pk=webinar.pk)
        if not _newer(ts, webinar.zoom_event_ts):
            return False
        gone = {str(o.get("occurrence_id")) for o in data.get("occurrences") or []}
        if webinar.is_recurring and operation == "single" and gone:
            webinar.raw = {**webinar.raw, "occurrences": [
                {**o, "status": "deleted"} if str(o.get("occurrence_id")) in gone else o
                for o in webinar.raw.get("occurrences") or []]}
            webinar.save(update_fields=["raw"])
        else:
            webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.DELETED)
        Webinar.objects.filter(pk=webinar.pk).update(zoom_event_ts=ts)
    webinar_lifecycle_update(webinar=webinar)
    return True


def webinar_webhook_ended(*, webinar: Webinar, data: dict) -> WebinarInstance | None:
    """The session's end (Zoom's end_time), and a full sync queued a few minutes later, since
    webhooks can be missing: Zoom's participant report then replaces the live rows."""
    instance = None
    if data.get("uuid"):
        instance = webinar_instance_sync_from_zoom(
            webinar=webinar, uuid=data["uuid"], report={"end_time": data.get("end_time")},
            start_time=parse_api_time(data.get("start_time")))
    webinar_reconcile_schedule(webinar=webinar, key=str(data.get("uuid") or ""))
    return instance


def webinar_reconcile_schedule(*, webinar: Webinar, key: str) -> None:
    if not webinar.sync_enabled:
        return
    name = f"Reconcile webinar {webinar.zoom_id} {key}"[:100]
    if Schedule.objects.filter(name=name).exists():
        return  # the same session's end, delivered twice
    transaction.on_commit(lambda: schedule(
        RECONCILE_TASK, webinar.pk, name=name, schedule_type=Schedule.ONCE, repeats=1,
        next_run=datetime.now(UTC) + timedelta(seconds=settings.WEBHOOK_RECONCILE_DELAY_S)))


# --- registrants --------------------------------------------------------------------------

def _people_context(webinar: Webinar) -> dict:
    panelists = frozenset(AttendanceSession.objects.filter(
        instance__webinar=webinar, role=AttendanceSession.Role.PANELIST).exclude(
        email="").values_list("email", flat=True).distinct())
    return {"excluded_domains": SyncSettings.get_solo().excluded_domains,
            "panelists": panelists, "account_users": zoom_users_mirrored(
                account=webinar.zoom_account)}


class RegistrationChange(NamedTuple):
    """One registration event: Zoom's registrant object, the status it gives, its time."""
    data: dict
    status: str
    ts: int | None
    created: bool = False


def _rounds(keys: list[str]) -> list[list[int]]:
    """Positions grouped so each round holds at most one change per key, in their order:
    a registrant changed twice in a batch has its changes applied one after the other."""
    rounds: list[list[int]] = []
    seen: dict[str, int] = {}
    for position, key in enumerate(keys):
        n = seen[key] = seen.get(key, -1) + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(position)
    return rounds


def registrants_webhook_apply(*, webinar: Webinar, changes: list[RegistrationChange]
                              ) -> list[tuple[Registrant, bool]]:
    """Mirrors registrants from registration events, applied in the order given, with a few
    queries per batch. A status (and a cancellation's time) changes only when the event is
    newer than the last one applied; an older one still fills what was unknown (the
    registration's time, the answers). Returns (registrant, whether its status was applied)
    for each change."""
    context = _people_context(webinar)
    results: list[tuple[Registrant, bool]] = [None] * len(changes)  # type: ignore[list-item]
    ids = [str(change.data["id"]) for change in changes]
    for positions in _rounds(ids):
        with transaction.atomic():
            results_round = _registrants_apply_round(
                webinar=webinar, changes=[changes[p] for p in positions], context=context)
        for position, result in zip(positions, results_round, strict=True):
            results[position] = result
    return results


def _registrants_apply_round(*, webinar: Webinar, changes: list[RegistrationChange],
                             context: dict) -> list[tuple[Registrant, bool]]:
    ids = [str(change.data["id"]) for change in changes]
    existing = {r.zoom_registrant_id: r for r in Registrant.objects.select_for_update().filter(
        webinar=webinar, zoom_registrant_id__in=ids)}
    rows, applied = [], []
    for rid, change in zip(ids, changes, strict=True):
        before = existing.get(rid)
        applied.append(before is None or _newer(change.ts, before.zoom_event_ts))
        row = {**(before.raw if before else {}), **change.data}
        row["status"] = change.status if applied[-1] else before.status
        # Zoom's registration events carry no create_time: the created event's time is when
        # the person registered, whatever order it came in.
        if change.created and change.ts and not change.data.get("create_time"):
            row["create_time"] = event_moment(change.ts).isoformat()
        rows.append(row)
    registrants_sync_from_zoom(webinar=webinar, rows=rows, **context)
    mirrored = {r.zoom_registrant_id: r for r in Registrant.objects.filter(
        webinar=webinar, zoom_registrant_id__in=ids)}
    for rid, change, ok in zip(ids, changes, applied, strict=True):
        registrant, before = mirrored[rid], existing.get(rid)
        if ok:
            registrant.zoom_event_ts = change.ts
            registrant.cancelled_at = (event_moment(change.ts) if registrant.status
                                       == Registrant.Status.CANCELLED else None)
        if before is not None and registrant.registered_at is None and before.registered_at:
            registrant.registered_at = before.registered_at
    # an upsert of rows just read in this transaction: Django's bulk_update writes one CASE
    # per field and row, ten times slower for a batch of a few hundred
    Registrant.objects.bulk_create(
        list(mirrored.values()), update_conflicts=True,
        unique_fields=["webinar", "zoom_registrant_id"],
        update_fields=["zoom_event_ts", "cancelled_at", "registered_at"])
    return [(mirrored[rid], ok) for rid, ok in zip(ids, applied, strict=True)]


def registrant_webhook_apply(*, webinar: Webinar, data: dict, status: str, ts: int | None,
                             created: bool = False) -> tuple[Registrant, bool]:
    """One registration event (see registrants_webhook_apply)."""
    return registrants_webhook_apply(webinar=webinar, changes=[
        RegistrationChange(data=data, status=status, ts=ts, created=created)])[0]


# --- joins and leaves ---------------------------------------------------------------------

def _participant_key(person: dict) -> str:
    return str(person.get("participant_uuid") or person.get("id") or
               email_normalise(person.get("email")) or person.get("user_name") or "")[:200]


class ParticipantChange(NamedTuple):
    """One join or leave: the event's object (the session and the participant) and its kind."""
    data: dict
    kind: str


def participants_webhook_apply(*, webinar: Webinar, changes: list[ParticipantChange]
                               ) -> list[tuple[WebinarInstance, list[int]] | None]:
    """Records joins and leaves and rebuilds each participant's rows of the session from all
    their joins and leaves so far, with a few queries per session whatever the number of
    events. Once Zoom's report of the session is stored, it is the truth: the events are kept
    but change no row. Returns, for each change, the session and the contacts of the
    participant's rows, or None when the event names no time or no session."""
    results: list[tuple[WebinarInstance, list[int]] | None] = [None] * len(changes)
    sessions: dict[str, list[tuple[int, str, datetime, dict]]] = {}
    start_times: dict[str, str | None] = {}
    for position, (data, kind) in enumerate(changes):
        person = data.get("participant") or {}
        at = parse_api_time(person.get("join_time" if kind == ParticipantEvent.Kind.JOINED
                                       else "leave_time"))
        uuid = data.get("uuid")
        if at is None or not uuid:
            continue
        sessions.setdefault(uuid, []).append((position, _participant_key(person), at, person))
        start_times.setdefault(uuid, data.get("start_time"))
    context = _people_context(webinar) if sessions else {}
    for uuid, events in sessions.items():
        instance = webinar_instance_sync_from_zoom(
            webinar=webinar, uuid=uuid, report=None, start_time=parse_api_time(start_times[uuid]))
        # delivered before: already among the events, the rows already include it
        ParticipantEvent.objects.bulk_create(
            [ParticipantEvent(instance=instance, zoom_uuid=uuid, participant_key=key,
                              kind=changes[position].kind, at=at, raw=person)
             for position, key, at, person in events], ignore_conflicts=True)
        contacts = ({} if instance.participants_synced_at is not None else
                    _participant_rows_rebuild(instance=instance, uuid=uuid,
                                              keys={key for _, key, _, _ in events},
                                              context=context))
        for position, key, _, _ in events:
            results[position] = (instance, contacts.get(key, []))
    return results


def participant_webhook_apply(*, webinar: Webinar, data: dict, kind: str
                              ) -> tuple[WebinarInstance, list[int]] | None:
    """One join or leave (see participants_webhook_apply)."""
    return participants_webhook_apply(webinar=webinar,
                                      changes=[ParticipantChange(data=data, kind=kind)])[0]


def _participant_rows_rebuild(*, instance: WebinarInstance, uuid: str, keys: set[str],
                              context: dict) -> dict[str, list[int]]:
    """Each participant's join/leave cycles, in time order, as rows of Zoom's participant
    report; rows of theirs no cycle gives any more are removed. Returns each participant's
    contacts."""
    rows: dict[str, list[dict]] = {key: [] for key in keys}
    events = ParticipantEvent.objects.filter(
        instance=instance, zoom_uuid=uuid, participant_key__in=keys).order_by(
        "participant_key", "at", "kind")
    for key, theirs in groupby(events, key=lambda event: event.participant_key):
        open_join = None
        for event in theirs:
            if event.kind == ParticipantEvent.Kind.JOINED:
                open_join = open_join or event  # a second join before any leave: one cycle
            elif open_join is not None:
                rows[key].append(_row(open_join, event.at))
                open_join = None
            # a leave with no join before it: that join never arrived; Zoom's report fills it
        if open_join is not None:
            rows[key].append(_row(open_join, None))
    live = AttendanceSession.objects.filter(instance=instance, zoom_uuid=uuid,
                                            raw__live_key__in=keys)
    joins = {key: {parse_api_time(row["join_time"]) for row in theirs}
             for key, theirs in rows.items()}
    stale = [pk for pk, key, join in live.filter(seen_at__isnull=True).values_list(
        "pk", "raw__live_key", "join_time") if join not in joins.get(key, ())]
    if stale:
        AttendanceSession.objects.filter(pk__in=stale).delete()
    every_row = [row for theirs in rows.values() for row in theirs]
    if every_row:
        attendance_sessions_sync_from_zoom(instance=instance, uuid=uuid, rows=every_row,
                                           seen_at=None, **context)
    contacts: dict[str, set[int]] = {}
    for key, contact_id in live.filter(contact__isnull=False).values_list(
            "raw__live_key", "contact_id"):
        contacts.setdefault(key, set()).add(contact_id)
    return {key: sorted(ids) for key, ids in contacts.items()}


def _row(join: ParticipantEvent, left: datetime | None) -> dict:
    """A join/leave cycle as a row of Zoom's participant report."""
    person = join.raw
    return {
        "id": str(person.get("id") or ""), "name": person.get("user_name") or "",
        "user_email": person.get("email") or "",
        "registrant_id": person.get("registrant_id") or "",
        "participant_user_id": person.get("participant_user_id") or "",
        "join_time": join.at.isoformat(), "leave_time": left.isoformat() if left else None,
        "duration": int((left - join.at).total_seconds()) if left else 0,
        "status": "in_meeting", "live_key": join.participant_key,
    }
