"""Whether Zoom's webhooks reach this installation for an account: then the schedule can leave
to them what they report, and poll Zoom only for what they do not."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import WebhookDelivery, ZoomAccount


def zoom_webhooks_active(*, account: ZoomAccount) -> bool:
    """A signed delivery for the account arrived within ZOOM_WEBHOOKS_ACTIVE_H hours (only
    signed calls are stored, so a stored one proves the subscription works end to end)."""
    since = timezone.now() - timedelta(hours=settings.ZOOM_WEBHOOKS_ACTIVE_H)
    return WebhookDelivery.objects.filter(
        provider="zoom", account_key=account.zoom_account_id, received_at__gte=since,
    ).exists()
