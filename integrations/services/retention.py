"""Pruning the history that only grows: finished sync runs and handled webhook deliveries.

A failed delivery is kept longer than a handled one: it is what someone reprocesses after
fixing the cause. Queued and running runs and pending deliveries are never pruned, whatever
their age: they are still work.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import SyncRun, WebhookDelivery

HANDLED = (WebhookDelivery.Status.PROCESSED, WebhookDelivery.Status.IGNORED,
           WebhookDelivery.Status.DUPLICATE)
FINISHED = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED)


@dataclass
class PruneResult:
    sync_runs: int
    deliveries: int
    failed_deliveries: int


def history_prune(*, dry_run: bool = False, now=None) -> PruneResult:
    """Deletes what is older than its retention period (or only counts it, `dry_run`)."""
    now = now or timezone.now()
    runs = SyncRun.objects.filter(
        status__in=FINISHED,
        created_at__lt=now - timedelta(days=settings.SYNC_RUN_RETENTION_DAYS))
    handled = WebhookDelivery.objects.filter(
        status__in=HANDLED,
        received_at__lt=now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS))
    failed = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.FAILED,
        received_at__lt=now - timedelta(days=settings.WEBHOOK_FAILED_RETENTION_DAYS))
    result = PruneResult(sync_runs=runs.count(), deliveries=handled.count(),
                         failed_deliveries=failed.count())
    if not dry_run:
        for queryset in (runs, handled, failed):
            queryset.delete()
    return result
