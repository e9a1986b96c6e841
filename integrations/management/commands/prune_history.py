from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.services.retention import history_prune


class Command(BaseCommand):
    help = ("Deletes finished sync runs older than SYNC_RUN_RETENTION_DAYS, processed, ignored "
            "and duplicate webhook deliveries older than WEBHOOK_RETENTION_DAYS, and failed "
            "ones older than WEBHOOK_FAILED_RETENTION_DAYS.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Only say how much would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        result = history_prune(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.sync_runs} sync run(s) older than "
            f"{settings.SYNC_RUN_RETENTION_DAYS} days, {result.deliveries} webhook "
            f"delivery(ies) older than {settings.WEBHOOK_RETENTION_DAYS} days and "
            f"{result.failed_deliveries} failed one(s) older than "
            f"{settings.WEBHOOK_FAILED_RETENTION_DAYS} days.")
