from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.services.accounts import zoom_account_connect_s2s


class Command(BaseCommand):
    help = "Link a Zoom account with Server-to-Server OAuth credentials (verified before saving)."

    def add_arguments(self, parser):
        parser.add_argument("--account-id", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--webhook-secret", default="")
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        try:
            account = zoom_account_connect_s2s(
                account_id=opts["account_id"], client_id=opts["client_id"],
                client_secret=opts["client_secret"], webhook_secret=opts["webhook_secret"],
                name=opts["name"],
            )
        except IntegrationError as exc:
            raise CommandError(f"Zoom account not linked: {exc.message}") from None
        portal = account.hubspot_portal
        self.stdout.write(self.style.SUCCESS(
            f"Linked Zoom account “{account.name}” ({account.zoom_account_id})"
            + (f", syncing to HubSpot portal “{portal}”." if portal else
               ". Link a HubSpot portal next: manage.py connect_hubspot --token …")
        ))
