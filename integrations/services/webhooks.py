"""The webhook inbox: storing a verified delivery, processing it through its handler, and
processing it again on demand.

A delivery is stored before anything acts on it, so a crash or a failing handler loses no
event: a failed delivery keeps its error and can be processed again (admin action,
`manage.py reprocess_webhooks`). Handlers must be idempotent — Zoom and HubSpot both
redeliver, and reprocessing runs a handler again.
"""

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from ..errors import IntegrationError
from ..models import WebhookDelivery, WebhookInbox
from ..webhooks.handlers import batch_handler_for, handler_for
from ..webhooks.payloads import delivery_payload

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
MAX_ERROR_CHARS = 2000
DRAIN_TASK = "integrations.tasks.drain_webhook_inbox"
# A claim or a queued drain older than this belongs to a worker that died: taken again.
STALE_AFTER = timedelta(minutes=10)
DUPLICATE_NOTE = "Already received; not processed again."


def webhook_delivery_store(*, provider: str, event_type: str, dedupe_key: str,
                           account_key: str, event_ts: int | None, headers: dict, body: str,
                           remote_ip: str | None,
                           status: str = Status.PENDING, note: str = "") -> WebhookDelivery:
    """Stores one verified delivery and, once the caller's transaction commits, has a worker
    process it. Redeliveries change nothing: the worker marks a delivery whose dedupe key it
    has seen before a duplicate and never processes it (no lookup here, where Zoom waits)."""
    delivery = WebhookDelivery.objects.create(
        provider=provider, event_type=event_type[:100], dedupe_key=dedupe_key[:200],
        account_key=account_key[:64], event_ts=event_ts, headers=headers, body=body,
        remote_ip=remote_ip, signature_valid=True, status=status, note=note,
        processed_at=timezone.now() if status != Status.PENDING else None,
    )
    if delivery.status == Status.PENDING:
        webhook_inbox_drain_queue()
    return delivery


def webhook_inbox_drain_queue() -> bool:
    """Asks a worker to process the pending deliveries, unless a drain is queued or running
    already: a burst of events is one task, not one per event. Inside the
    storing transaction, so the request goes out when the delivery is committed. Returns
    whether a task was asked for."""
    now = timezone.now()
    # One statement, as each delivery runs it while Zoom waits for the answer: the inbox row
    # is created, or its flag set only if nobody was asked (or that request is stale).
    table = connection.ops.quote_name(WebhookInbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, drain_queued_at) VALUES (1, %s) "
            f"ON CONFLICT (id) DO UPDATE SET drain_queued_at = EXCLUDED.drain_queued_at "
            f"WHERE {table}.drain_queued_at IS NULL OR {table}.drain_queued_at < %s",
            [connection.ops.adapt_datetimefield_value(now),
             connection.ops.adapt_datetimefield_value(now - STALE_AFTER)])
        asked = cursor.rowcount == 1
    if asked:
        transaction.on_commit(lambda: async_task(
            DRAIN_TASK, task_name="Process webhook deliveries", group="webhooks"))
    return asked


def webhook_inbox_drain() -> dict[str, int]:
    """The queued task: processes what is pending, a batch at a time, oldest events first,
    and keeps at it while deliveries keep coming (waiting WEBHOOK_DRAIN_GATHER_S for a batch
    to fill), so a burst is one task and large batches, and the other workers stay free for
    the pushes. After WEBHOOK_DRAIN_MAX deliveries it queues its successor and stops, so
    other tasks get their turn. Returns how many deliveries ended in each status."""
    counts: dict[str, int] = {}
    done = 0
    while True:
        claimed = _deliveries_claim(size=settings.WEBHOOK_DRAIN_BATCH)
        if claimed:
            _count(counts, webhook_deliveries_process(deliveries=claimed))
            done += len(claimed)
            if done >= settings.WEBHOOK_DRAIN_MAX:
                _drain_requeue()
                return counts
            if len(claimed) < settings.WEBHOOK_DRAIN_BATCH and settings.WEBHOOK_DRAIN_GATHER_S:
                time.sleep(settings.WEBHOOK_DRAIN_GATHER_S)
            continue
        # Nothing pending: stand down, so the next delivery asks for a drain again, then look
        # once more for one stored before the flag was cleared (it asked nobody).
        WebhookInbox.objects.filter(pk=1).update(drain_queued_at=None)
        if not _deliveries_claimable().exists():
            return counts
        WebhookInbox.objects.filter(pk=1).update(drain_queued_at=timezone.now())


def _drain_requeue() -> None:
    """The next drain, queued by this one (the flag stays raised: deliveries ask nobody)."""
    WebhookInbox.objects.filter(pk=1).update(drain_queued_at=timezone.now())
    async_task(DRAIN_TASK, task_name="Process webhook deliveries", group="webhooks")


def _deliveries_claimable() -> QuerySet:
    return WebhookDelivery.objects.filter(status=Status.PENDING, signature_valid=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=timezone.now() - STALE_AFTER))


def _deliveries_claim(*, size: int) -> list[WebhookDelivery]:
    """The pending deliveries of the oldest events nobody is processing, claimed for this
    worker."""
    now = timezone.now()
    with transaction.atomic():
        todo = _deliveries_claimable()
        if connection.features.has_select_for_update_skip_locked:
            todo = todo.select_for_update(skip_locked=True)
        claimed = list(todo.order_by(F("event_ts").asc(nulls_first=True), "pk")[:size])
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(claimed_at=now)
    return claimed


def _count(counts: dict[str, int], deliveries: Iterable[WebhookDelivery]) -> None:
    for delivery in deliveries:
        counts[delivery.status] = counts.get(delivery.status, 0) + 1


def _error_text(exc: Exception) -> str:
    text = exc.message if isinstance(exc, IntegrationError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_CHARS]


def _event_order(delivery: WebhookDelivery) -> tuple:
    return (delivery.event_ts or 0, delivery.pk)


def _duplicates_set_aside(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Two copies stored at the same instant both look new when stored; the older one is
    processed, the other marked a duplicate. Returns the deliveries left to process."""
    first = dict(WebhookDelivery.objects.filter(
        dedupe_key__in={d.dedupe_key for d in deliveries}).exclude(status=Status.DUPLICATE)
        .values("dedupe_key").annotate(first=Min("pk")).values_list("dedupe_key", "first"))
    keep, repeated = [], []
    for delivery in deliveries:
        (keep if first.get(delivery.dedupe_key, delivery.pk) >= delivery.pk
         else repeated).append(delivery)
    for delivery in repeated:
        delivery.status, delivery.note = Status.DUPLICATE, DUPLICATE_NOTE
    _finish(repeated, attempted=False)
    return keep


def _finish(deliveries: list[WebhookDelivery], *, attempted: bool = True) -> None:
    """Saves the outcome: one UPDATE per distinct outcome, not one per delivery."""
    now = timezone.now()
    outcomes: dict[tuple[str, str, str], list[int]] = {}
    for delivery in deliveries:
        delivery.processed_at, delivery.claimed_at = now, None
        delivery.attempts += int(attempted)
        outcomes.setdefault((delivery.status, delivery.note, delivery.error), []).append(
            delivery.pk)
    for (status, note, error), pks in outcomes.items():
        WebhookDelivery.objects.filter(pk__in=pks).update(
            status=status, note=note, error=error, processed_at=now, claimed_at=None,
            attempts=F("attempts") + int(attempted))


def _handled(delivery: WebhookDelivery, note: str | None) -> None:
    delivery.status, delivery.note, delivery.error = Status.PROCESSED, note or "", ""


def _one(delivery: WebhookDelivery) -> None:
    """Runs the delivery's handler: none registered → ignored; it returns → processed (with
    its note); it raises → failed, with the error kept for whoever reprocesses it."""
    handler = handler_for(delivery.provider, delivery.event_type)
    if handler is None:
        delivery.status, delivery.note, delivery.error = (Status.IGNORED,
                                                          "No handler for this event.", "")
        return
    try:
        note = handler(delivery=delivery, payload=delivery_payload(delivery=delivery))
    except Exception as exc:  # any handler bug must leave a reprocessable delivery
        logger.warning("Webhook delivery %s (%s %s) failed: %s", delivery.pk,
                       delivery.provider, delivery.event_type, type(exc).__name__)
        delivery.status, delivery.error, delivery.note = Status.FAILED, _error_text(exc), ""
    else:
        _handled(delivery, note)


def _batch(deliveries: list[WebhookDelivery]) -> None:
    """Deliveries sharing a batch handler, at once; should the batch fail, each is processed
    on its own, so the one at fault keeps its error and the others are not held back."""
    batch = batch_handler_for(deliveries[0].provider, deliveries[0].event_type)
    try:
        notes = batch(items=[(d, delivery_payload(delivery=d)) for d in deliveries])
    except Exception as exc:
        logger.warning("A batch of %s webhook deliveries failed (%s); processing them one by "
                       "one.", len(deliveries), type(exc).__name__)
        for delivery in deliveries:
            _one(delivery)
    else:
        for delivery, note in zip(deliveries, notes, strict=True):
            _handled(delivery, note)


def webhook_deliveries_process(*, deliveries: Iterable[WebhookDelivery]
                               ) -> list[WebhookDelivery]:
    """Processes these deliveries in event order (handlers compare event times, so any order
    of the same deliveries ends in the same state); consecutive deliveries with one batch
    handler go to it together. Duplicates and refused calls are left as they are. Returns
    the deliveries processed, with their new status."""
    todo = sorted((d for d in deliveries if d.signature_valid and d.status != Status.DUPLICATE),
                  key=_event_order)
    todo = _duplicates_set_aside(todo)
    for _, group in groupby(todo, key=lambda d: batch_handler_for(d.provider, d.event_type)
                            or d.pk):
        group = list(group)
        if len(group) > 1:
            _batch(group)
        else:
            _one(group[0])
        _finish(group)
    return todo


def webhook_delivery_process(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Processes one delivery (see webhook_deliveries_process)."""
    webhook_deliveries_process(deliveries=[delivery])
    return delivery


def webhook_deliveries_reprocess(*, deliveries: QuerySet) -> dict[str, int]:
    """Processes these deliveries again, oldest event first (handlers compare event times,
    so replaying in order gives the state an in-order delivery would). Duplicates and
    refused calls stay as they are. Returns how many ended in each status."""
    counts: dict[str, int] = {}
    todo = deliveries.filter(signature_valid=True).exclude(status=Status.DUPLICATE)
    chunk: list[WebhookDelivery] = []
    for delivery in todo.order_by("event_ts", "received_at", "pk").iterator():
        chunk.append(delivery)
        if len(chunk) == settings.WEBHOOK_DRAIN_BATCH:
            _count(counts, webhook_deliveries_process(deliveries=chunk))
            chunk = []
    if chunk:
        _count(counts, webhook_deliveries_process(deliveries=chunk))
    return counts


def webhook_url(*, provider: str) -> str:
    """Where the provider's app must send its webhooks ("zoom" or "hubspot")."""
    return f"{settings.PUBLIC_BASE_URL}{reverse(f'{provider}-webhook')}"
