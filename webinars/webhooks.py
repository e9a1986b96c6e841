"""Zoom's webinar webhooks: each handler finds what the event is about, has a service apply it
to the mirror, and records what HubSpot must hear of it (pushed in batches, see
services/live_push). The note each returns is kept on the delivery."""

from collections.abc import Iterator

from integrations.models import WebhookDelivery, ZoomAccount
from integrations.services.accounts import zoom_account_deauthorize
from integrations.webhooks.handlers import webhook_batch_handler, webhook_handler

from .models import ParticipantEvent, Registrant, Webinar
from .services.live_push import live_changes_record, live_push_queue
from .services.webhook_events import (
    ParticipantChange,
    RegistrationChange,
    participants_webhook_apply,
    registrants_webhook_apply,
    webinar_webhook_created,
    webinar_webhook_deleted,
    webinar_webhook_ended,
    webinar_webhook_updated,
)

REGISTRATION_STATUS = {
    "webinar.registration_approved": Registrant.Status.APPROVED,
    "webinar.registration_denied": Registrant.Status.DENIED,
    "webinar.registration_cancelled": Registrant.Status.CANCELLED,
}


def _event_ts(delivery: WebhookDelivery, payload: dict) -> int | None:
    value = getattr(delivery, "event_ts", None) or payload.get("event_ts")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # app_deauthorized sends a date text, not milliseconds


def _object(payload: dict) -> dict:
    return (payload.get("payload") or {}).get("object") or {}


def _account(payload: dict) -> ZoomAccount | None:
    account_id = (payload.get("payload") or {}).get("account_id")
    return ZoomAccount.objects.filter(zoom_account_id=account_id).first() if account_id else None


def _webinar(payload: dict) -> Webinar | None:
    zoom_id = _object(payload).get("id")
    return Webinar.objects.filter(zoom_id=str(zoom_id)).first() if zoom_id else None


def _unknown(payload: dict) -> str:
    return f"Webinar {_object(payload).get('id')} is not mirrored: ignored."


@webhook_handler("zoom", "webinar.created")
def webinar_created(*, delivery, payload):
    account = _account(payload)
    if account is None:
        return "Unknown Zoom account: ignored."
    webinar = webinar_webhook_created(account=account, data=_object(payload),
                                      ts=_event_ts(delivery, payload))
    if webinar.sync_enabled:
        live_push_queue(webinar=webinar)
        return f"Mirrored {webinar}; sync enabled (auto-sync)."
    return f"Mirrored {webinar}."


@webhook_handler("zoom", "webinar.updated")
def webinar_updated(*, delivery, payload):
    webinar = _webinar(payload)
    if webinar is None:
        return _unknown(payload)
    if not webinar_webhook_updated(webinar=webinar, changes=_object(payload),
                                   ts=_event_ts(delivery, payload),
                                   scope=payload["payload"].get("scope", "")):
        return "Older than the last change applied: ignored."
    live_changes_record(webinar=webinar)
    return f"Updated {webinar}."


@webhook_handler("zoom", "webinar.deleted")
def webinar_deleted(*, delivery, payload):
    webinar = _webinar(payload)
    if webinar is None:
        return _unknown(payload)
    if not webinar_webhook_deleted(webinar=webinar, data=_object(payload),
                                   ts=_event_ts(delivery, payload),
                                   operation=payload["payload"].get("operation", "")):
        return "Older than the last change applied: ignored."
    if live_changes_record(webinar=webinar):
        return f"Marked {webinar} deleted; its HubSpot events are being cancelled."
    return f"Marked {webinar} deleted (sync is off: HubSpot unchanged)."


def _by_webinar(items: list[tuple[WebhookDelivery, dict]], notes: list[str]
                ) -> Iterator[tuple[Webinar, list[int]]]:
    """Each mirrored webinar the items are about, with their positions; the items about a
    webinar not mirrored get their note here."""
    groups: dict[str, list[int]] = {}
    for position, (_, payload) in enumerate(items):
        groups.setdefault(str(_object(payload).get("id") or ""), []).append(position)
    for zoom_id, positions in groups.items():
        webinar = Webinar.objects.filter(zoom_id=zoom_id).first() if zoom_id else None
        if webinar is None:
            for p in positions:
                notes[p] = _unknown(items[p][1])
        else:
            yield webinar, positions


def _registration_change(delivery, payload) -> RegistrationChange | None:
    data = _object(payload).get("registrant") or {}
    if not data.get("id"):
        return None
    created = payload.get("event") == "webinar.registration_created"
    status = (data.get("status") or Registrant.Status.APPROVED) if created else (
        REGISTRATION_STATUS[payload["event"]])
    return RegistrationChange(data=data, status=status, ts=_event_ts(delivery, payload),
                              created=created)


@webhook_batch_handler("zoom", "webinar.registration_created", *REGISTRATION_STATUS)
def registrations_changed(*, items):
    notes: list[str] = [""] * len(items)
    for webinar, positions in _by_webinar(items, notes):
        changes = {p: _registration_change(*items[p]) for p in positions}
        for p, change in changes.items():
            if change is None:
                notes[p] = "No registrant in the event: ignored."
        todo = [p for p, change in changes.items() if change is not None]
        results = dict(zip(todo, registrants_webhook_apply(
            webinar=webinar, changes=[changes[p] for p in todo]), strict=True))
        queued = live_changes_record(webinar=webinar, contact_ids=[
            r.contact_id for r, _ in results.values() if r.contact_id is not None])
        for p, (registrant, applied) in results.items():
            # no address in the note: notes alike are saved together (the body names them)
            what = f"Registrant {registrant.status}" + (
                "" if applied else ", kept: a newer change was applied already")
            notes[p] = (f"{what}: mirrored, no contact to push." if registrant.contact_id is None
                        else f"{what}: mirrored, push queued." if queued
                        else f"{what}: mirrored only (sync is off).")
    return notes


@webhook_handler("zoom", "webinar.registration_created", *REGISTRATION_STATUS)
def registration_changed(*, delivery, payload):
    return registrations_changed(items=[(delivery, payload)])[0]


@webhook_batch_handler("zoom", "webinar.participant_joined", "webinar.participant_left")
def participants_changed(*, items):
    notes: list[str] = [""] * len(items)
    for webinar, positions in _by_webinar(items, notes):
        kinds = {p: (ParticipantEvent.Kind.JOINED if items[p][1].get("event", "").endswith(
            "joined") else ParticipantEvent.Kind.LEFT) for p in positions}
        results = participants_webhook_apply(webinar=webinar, changes=[
            ParticipantChange(data=_object(items[p][1]), kind=kinds[p]) for p in positions])
        live = [result for result in results
                if result is not None and result[0].participants_synced_at is None]
        queued = bool(live) and live_changes_record(
            webinar=webinar, contact_ids=[cid for _, ids in live for cid in ids])
        for p, result in zip(positions, results, strict=True):
            if result is None:
                notes[p] = "No session or time in the event: ignored."
            elif result[0].participants_synced_at is not None:
                notes[p] = "Zoom's report of this session is stored already: kept, no change."
            else:
                notes[p] = (f"Participant {kinds[p]}: mirrored, push queued." if queued else
                            f"Participant {kinds[p]}: mirrored only (sync is off).")
    return notes


@webhook_handler("zoom", "webinar.participant_joined", "webinar.participant_left")
def participant_changed(*, delivery, payload):
    return participants_changed(items=[(delivery, payload)])[0]


@webhook_handler("zoom", "webinar.ended")
def webinar_ended(*, delivery, payload):
    webinar = _webinar(payload)
    if webinar is None:
        return _unknown(payload)
    instance = webinar_webhook_ended(webinar=webinar, data=_object(payload))
    if not webinar.sync_enabled:
        return "Session end mirrored (sync is off)."
    contact_ids = [] if instance is None else list(instance.sessions.filter(
        contact__isnull=False).values_list("contact_id", flat=True).distinct())
    live_changes_record(webinar=webinar, contact_ids=contact_ids)
    return "Session ended: attendance push queued, full sync scheduled to reconcile."


@webhook_handler("zoom", "app_deauthorized")
def app_deauthorized(*, delivery, payload):
    account = _account(payload)
    if account is None:
        return "Unknown Zoom account: ignored."
    zoom_account_deauthorize(
        account=account, at=str((payload.get("payload") or {}).get("deauthorization_time") or ""))
    return f"Zoom account {account} deauthorized: tokens deleted, syncing stopped."
