from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.services.accounts import hubspot_portal_connect_private_app


class Command(BaseCommand):
    help = "Link a HubSpot portal with a private-app token (verified before saving)."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="Private-app access token.")
        parser.add_argument("--portal-id", default="", help="HubSpot portal (hub) id.")
        parser.add_argument("--app-id", default="", help="Public app id (for app requests).")
        parser.add_argument("--client-secret", default="",
                            help="App client secret, to check HubSpot request signatures.")
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        try:
            portal = hubspot_portal_connect_private_app(
                token=opts["token"], portal_id=opts["portal_id"], app_id=opts["app_id"],
                client_secret=opts["client_secret"], name=opts["name"],
            )
        except IntegrationError as exc:
            raise CommandError(f"HubSpot portal not linked: {exc.message}") from None
        linked = portal.zoom_accounts.count()
        self.stdout.write(self.style.SUCCESS(
            f"Linked HubSpot portal “{portal}”; {linked} Zoom account(s) sync to it."
        ))
