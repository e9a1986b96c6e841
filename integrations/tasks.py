"""django-q2 tasks of the integrations app: thin wrappers that load ids and call a service."""

from .models import WebhookDelivery
from .services.retention import history_prune
from .services.webhooks import webhook_delivery_process


def process_webhook_delivery(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    return webhook_delivery_process(delivery=delivery).status


def prune_history() -> str:
    """The daily schedule's pruning of old sync runs and webhook deliveries."""
    result = history_prune()
    return (f"{result.sync_runs} sync runs, {result.deliveries} deliveries, "
            f"{result.failed_deliveries} failed deliveries pruned")
