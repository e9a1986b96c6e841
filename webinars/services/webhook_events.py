"""What Zoom's webinar webhooks change in the mirror.

Zoom delivers late, twice and out of order. Each change is therefore applied only when it is
newer (Zoom's event_ts) than the last one applied to the same webinar or registrant, and
joins and leaves are kept as events from which a participant's attendance rows are rebuilt in
time order — so any order of the same deliveries ends in the state of the in-order one.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
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


def registrant_webhook_apply(*, webinar: Webinar, data: dict, status: str, ts: int | None,
                             created: bool = False) -> tuple[Registrant, bool]:
    """Mirrors a registrant from a registration event. Its status (and a cancellation's time)
    changes only when the event is newer than the last one applied; an older one still fills
    what was unknown (the registration's time, the answers). Returns (registrant, whether the
    status was applied)."""
    rid = str(data["id"])
    with transaction.atomic():
        existing = Registrant.objects.select_for_update().filter(
            webinar=webinar, zoom_registrant_id=rid).first()
        applied = existing is None or _newer(ts, existing.zoom_event_ts)
        row = {**(existing.raw if existing else {}), **data}
        if existing is not None and not applied:
            row["status"] = existing.status
        else:
            row["status"] = status
        # Zoom's registration events carry no create_time: the created event's time is when
        # the person registered, whatever order it came in.
        if created and ts and not data.get("create_time"):
            row["create_time"] = event_moment(ts).isoformat()
        registrants_sync_from_zoom(webinar=webinar, rows=[row], **_people_context(webinar))
        registrant = Registrant.objects.get(webinar=webinar, zoom_registrant_id=rid)
        fields = []
        if applied:
            registrant.zoom_event_ts = ts
            registrant.cancelled_at = (event_moment(ts) if registrant.status
                                       == Registrant.Status.CANCELLED else None)
            fields += ["zoom_event_ts", "cancelled_at"]
        if existing is not None and registrant.registered_at is None and existing.registered_at:
            registrant.registered_at = existing.registered_at
            fields.append("registered_at")
        if fields:
            registrant.save(update_fields=fields)
    return registrant, applied


# --- joins and leaves ---------------------------------------------------------------------

def _participant_key(person: dict) -> str:
    return str(person.get("participant_uuid") or person.get("id") or
               email_normalise(person.get("email")) or person.get("user_name") or "")[:200]


def participant_webhook_apply(*, webinar: Webinar, data: dict, kind: str
                              ) -> tuple[WebinarInstance, list[int]] | None:
    """Records a join or a leave and rebuilds that participant's rows of the session from
    all their joins and leaves so far. Once Zoom's report of the session is stored, it is the
    truth: the event is kept but changes no row. Returns the session and the contacts of the
    participant's rows, or None when the event names no time or no session."""
    person = data.get("participant") or {}
    at = parse_api_time(person.get("join_time" if kind == ParticipantEvent.Kind.JOINED
                                   else "leave_time"))
    uuid = data.get("uuid")
    if at is None or not uuid:
        return None
    instance = webinar_instance_sync_from_zoom(
        webinar=webinar, uuid=uuid, report=None, start_time=parse_api_time(data.get("start_time")))
    key = _participant_key(person)
    try:
        with transaction.atomic():
            ParticipantEvent.objects.create(instance=instance, zoom_uuid=uuid,
                                            participant_key=key, kind=kind, at=at, raw=person)
    except IntegrityError:
        pass  # delivered before: the rows already include it
    if instance.participants_synced_at is not None:
        return instance, []
    return instance, _participant_rows_rebuild(instance=instance, uuid=uuid, key=key)


def _participant_rows_rebuild(*, instance: WebinarInstance, uuid: str, key: str) -> list[int]:
    events = list(ParticipantEvent.objects.filter(
        instance=instance, zoom_uuid=uuid, participant_key=key).order_by("at", "kind"))
    rows, open_join = [], None
    for event in events:
        if event.kind == ParticipantEvent.Kind.JOINED:
            open_join = open_join or event  # a second join before any leave: one cycle
        elif open_join is not None:
            rows.append(_row(open_join, event.at))
            open_join = None
        # a leave with no join before it: that join never arrived; Zoom's report fills it
    if open_join is not None:
        rows.append(_row(open_join, None))
    stale = AttendanceSession.objects.filter(instance=instance, zoom_uuid=uuid,
                                             seen_at__isnull=True, raw__live_key=key)
    stale.exclude(join_time__in=[parse_api_time(r["join_time"]) for r in rows]).delete()
    if rows:
        attendance_sessions_sync_from_zoom(instance=instance, uuid=uuid, rows=rows,
                                           seen_at=None, **_people_context(instance.webinar))
    return sorted(set(filter(None, AttendanceSession.objects.filter(
        instance=instance, zoom_uuid=uuid, raw__live_key=key).values_list(
        "contact_id", flat=True))))


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
