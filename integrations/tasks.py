"""django-q2 tasks of the integrations app: thin wrappers that load ids and call a service."""

from .models import WebhookDelivery
from .services.webhooks import webhook_delivery_process


def process_webhook_delivery(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    return webhook_delivery_process(delivery=delivery).status
