import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.management.secrets_input import Secret, secret_options_add, secrets_read
from integrations.services.accounts import zoom_account_connect_s2s

SECRETS = [Secret("client-secret", "Zoom client secret"),
           Secret("webhook-secret", "Zoom webhook secret token", required=False)]


class Command(BaseCommand):
    help = (
        "Link a Zoom account with Server-to-Server OAuth credentials (verified before saving). "
        "Secrets come from --client-secret-env / --webhook-secret-env; with neither, the "
        "command asks for them, or reads standard input when it is not a terminal: the client "
        "secret on the first line, the webhook secret token (optional) on the second."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--account-id", required=True)
        parser.add_argument("--client-id", required=True)
        secret_options_add(parser, SECRETS)
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        self.stdin = opts.get("stdin") or sys.stdin
        secrets = secrets_read(command=self, opts=opts, secrets=SECRETS)
        try:
            account = zoom_account_connect_s2s(
                account_id=opts["account_id"], client_id=opts["client_id"],
                client_secret=secrets["client_secret"], webhook_secret=secrets["webhook_secret"],
                name=opts["name"],
            )
        except IntegrationError as exc:
            raise CommandError(f"Zoom account not linked: {exc.message}") from None
        portal = account.hubspot_portal
        self.stdout.write(self.style.SUCCESS(
            f"Linked Zoom account “{account.name}” ({account.zoom_account_id})"
            + (f", syncing to HubSpot portal “{portal}”." if portal else
               ". Link a HubSpot portal next: manage.py connect_hubspot --token-env VARIABLE")
        ))
