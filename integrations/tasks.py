"""django-q2 tasks of the integrations app: thin wrappers that load ids and call a service."""

from .models import WebhookDelivery
from .services.retention import history_prune
from .services.webhooks import webhook_delivery_process, webhook_inbox_drain


def drain_webhook_inbox() -> str:
    counts = webhook_inbox_drain()
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing pending"


def process_webhook_delivery(delivery_id: int) -> str:
    """One delivery (tasks queued before deliveries were processed in batches)."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    return webhook_delivery_process(delivery=delivery).status


def prune_history() -> str:
    """The daily schedule's pruning of old sync runs and webhook deliveries."""
    result = history_prune()
    return (f"{result.sync_runs} sync runs, {result.deliveries} deliveries, "
            f"{result.failed_deliveries} failed deliveries pruned")
