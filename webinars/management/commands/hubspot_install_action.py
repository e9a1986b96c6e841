import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.management.secrets_input import Secret, secret_options_add, secrets_read
from integrations.models import HubSpotPortal
from webinars.services.workflow_action import workflow_action_install

SECRETS = [Secret("developer-key", "HubSpot developer API key")]


class Command(BaseCommand):
    help = ("Creates (or, run again, updates) the workflow action “Register for Zoom webinar” "
            "in your HubSpot app. The developer API key comes from --developer-key-env, or is "
            "asked for (read from standard input when it is not a terminal).")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        secret_options_add(parser, SECRETS)
        parser.add_argument("--app-id", default="",
                            help="The HubSpot app's id (default: the linked portal's app id).")

    def handle(self, *args, **opts):
        self.stdin = opts.get("stdin") or sys.stdin
        app_id = opts["app_id"] or next(
            (p.app_id for p in HubSpotPortal.objects.exclude(app_id="")), "")
        if not app_id:
            raise CommandError("Give --app-id (no linked HubSpot portal names its app).")
        secrets = secrets_read(command=self, opts=opts, secrets=SECRETS)
        try:
            definition_id, created = workflow_action_install(
                app_id=app_id, developer_key=secrets["developer_key"])
        except IntegrationError as exc:
            raise CommandError(f"The workflow action was not installed: {exc.message}") from None
        self.stdout.write(self.style.SUCCESS(
            f"{'Created' if created else 'Updated'} the workflow action “Register for Zoom "
            f"webinar” (definition {definition_id}) in HubSpot app {app_id}."))
