from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.models import WebhookDelivery
from integrations.services.webhooks import webhook_deliveries_reprocess


def _since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r} is not an ISO date (2026-03-05 or "
                           "2026-03-05T14:00).") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = ("Processes stored webhook deliveries again, oldest event first, in this process "
            "(duplicates are never processed).")

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true",
                            help="Only the deliveries whose processing failed.")
        parser.add_argument("--since", metavar="ISO-DATE",
                            help="Only the deliveries received at or after this date or time.")

    def handle(self, *args, failed=False, since=None, **options):
        deliveries = WebhookDelivery.objects.all()
        if failed:
            deliveries = deliveries.filter(status=WebhookDelivery.Status.FAILED)
        if since:
            deliveries = deliveries.filter(received_at__gte=_since(since))
        counts = webhook_deliveries_reprocess(deliveries=deliveries)
        if not counts:
            self.stdout.write("No deliveries to reprocess.")
            return
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"Reprocessed {sum(counts.values())} deliveries: {summary}.")
