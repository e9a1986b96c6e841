import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.management.secrets_input import Secret, secret_options_add, secrets_read
from integrations.services.accounts import hubspot_portal_connect_private_app

SECRETS = [Secret("token", "HubSpot private-app token"),
           Secret("client-secret", "HubSpot app client secret", required=False)]


class Command(BaseCommand):
    help = (
        "Link a HubSpot portal with a private-app token (verified before saving). Secrets come "
        "from --token-env / --client-secret-env; with neither, the command asks for them, or "
        "reads standard input when it is not a terminal: the token on the first line, the "
        "app's client secret (optional; checks HubSpot's request signatures) on the second."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        secret_options_add(parser, SECRETS)
        parser.add_argument("--portal-id", default="", help="HubSpot portal (hub) id.")
        parser.add_argument("--app-id", default="", help="Public app id (for app requests).")
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        self.stdin = opts.get("stdin") or sys.stdin
        secrets = secrets_read(command=self, opts=opts, secrets=SECRETS)
        try:
            portal = hubspot_portal_connect_private_app(
                token=secrets["token"], portal_id=opts["portal_id"], app_id=opts["app_id"],
                client_secret=secrets["client_secret"], name=opts["name"],
            )
        except IntegrationError as exc:
            raise CommandError(f"HubSpot portal not linked: {exc.message}") from None
        linked = portal.zoom_accounts.count()
        self.stdout.write(self.style.SUCCESS(
            f"Linked HubSpot portal “{portal}”; {linked} Zoom account(s) sync to it."
        ))
