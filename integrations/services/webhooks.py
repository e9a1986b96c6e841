"""The webhook inbox: storing a verified delivery, processing it through its handler, and
processing it again on demand.

A delivery is stored before anything acts on it, so a crash or a failing handler loses no
event: a failed delivery keeps its error and can be processed again (admin action,
`manage.py reprocess_webhooks`). Handlers must be idempotent — Zoom and HubSpot both
redeliver, and reprocessing runs a handler again.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from ..errors import IntegrationError
from ..models import WebhookDelivery
from ..webhooks.handlers import handler_for
from ..webhooks.payloads import delivery_payload

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
MAX_ERROR_CHARS = 2000


def webhook_delivery_store(*, provider: str, event_type: str, dedupe_key: str,
                           account_key: str, event_ts: int | None, headers: dict, body: str,
                           remote_ip: str | None,
                           status: str = Status.PENDING, note: str = "") -> WebhookDelivery:
    """Stores one verified delivery and, once the caller's transaction commits, queues its
    processing. A delivery whose dedupe key was seen before is kept for the log but marked a
    duplicate and never processed: redeliveries change nothing."""
    duplicate = WebhookDelivery.objects.filter(dedupe_key=dedupe_key).exclude(
        status=Status.DUPLICATE).exists()
    delivery = WebhookDelivery.objects.create(
        provider=provider, event_type=event_type[:100], dedupe_key=dedupe_key[:200],
        account_key=account_key[:64], event_ts=event_ts, headers=headers, body=body,
        remote_ip=remote_ip, signature_valid=True,
        status=Status.DUPLICATE if duplicate else status,
        note="Already received; not processed again." if duplicate else note,
        processed_at=timezone.now() if duplicate or status != Status.PENDING else None,
    )
    if delivery.status == Status.PENDING:
        transaction.on_commit(lambda: async_task(
            "integrations.tasks.process_webhook_delivery", delivery.pk,
            task_name=f"Webhook {provider} {event_type}"[:100], group="webhooks",
        ))
    return delivery


def _first_of_its_key(delivery: WebhookDelivery) -> bool:
    """Two copies stored at the same instant both look new when stored; the older one wins."""
    return not WebhookDelivery.objects.filter(
        dedupe_key=delivery.dedupe_key, pk__lt=delivery.pk).exclude(
        status=Status.DUPLICATE).exists()


def _error_text(exc: Exception) -> str:
    text = exc.message if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_CHARS]


def webhook_delivery_process(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Runs the delivery's handler: none registered → ignored; it returns → processed (with
    its note); it raises → failed, with the error kept for whoever reprocesses it."""
    if not delivery.signature_valid or delivery.status == Status.DUPLICATE:
        return delivery
    if not _first_of_its_key(delivery):
        delivery.status, delivery.note = Status.DUPLICATE, "Already received; not processed again."
        delivery.processed_at = timezone.now()
        delivery.save(update_fields=["status", "note", "processed_at"])
        return delivery
    handler = handler_for(delivery.provider, delivery.event_type)
    delivery.attempts += 1
    delivery.error = ""
    if handler is None:
        delivery.status, delivery.note = Status.IGNORED, "No handler for this event."
    else:
        try:
            note = handler(delivery=delivery, payload=delivery_payload(delivery=delivery))
        except Exception as exc:  # any handler bug must leave a reprocessable delivery
            logger.warning("Webhook delivery %s (%s %s) failed: %s", delivery.pk,
                           delivery.provider, delivery.event_type, type(exc).__name__)
            delivery.status, delivery.error, delivery.note = Status.FAILED, _error_text(exc), ""
        else:
            delivery.status, delivery.note = Status.PROCESSED, note or ""
    delivery.processed_at = timezone.now()
    delivery.save(update_fields=["status", "note", "error", "attempts", "processed_at"])
    return delivery


def webhook_deliveries_reprocess(*, deliveries: QuerySet) -> dict[str, int]:
    """Processes these deliveries again, oldest event first (handlers compare event times,
    so replaying in order gives the state an in-order delivery would). Duplicates and
    refused calls stay as they are. Returns how many ended in each status."""
    counts: dict[str, int] = {}
    todo = deliveries.filter(signature_valid=True).exclude(status=Status.DUPLICATE)
    for delivery in todo.order_by("event_ts", "received_at", "pk").iterator():
        delivery = webhook_delivery_process(delivery=delivery)
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


def webhook_url(*, provider: str) -> str:
    """Where the provider's app must send its webhooks ("zoom" or "hubspot")."""
    return f"{settings.PUBLIC_BASE_URL}{reverse(f'{provider}-webhook')}"
