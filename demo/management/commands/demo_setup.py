import secrets
from pathlib import Path

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from integrations.errors import IntegrationError
from integrations.models import SyncSettings
from integrations.services.accounts import (
    hubspot_portal_connect_private_app,
    zoom_account_connect_s2s,
)
from webinars.models import QuestionMapping, RegistrationRule, Webinar
from webinars.services.discovery import backfill_default_since, webinars_backfill

DEMO_EXCLUDED_DOMAIN = "competitor.example"
# The demo webinar the README's live run plays (Product Roadmap Live).
LIVE_WEBINAR_ID = 81234567001
# The sandbox's "Webinar sign-up" form, whose submitters the demo registers for the Inbound
# Playbook webinar (its custom question answered from the form's `message` field).
SIGNUP_WEBINAR_ID = 81234567008
SIGNUP_FORM_GUID = "0c6d3a5e-8b1f-4d2a-9e7c-5a4b3c2d1e0f"
SIGNUP_FORM_NAME = "Webinar sign-up"
SIGNUP_QUESTION = "What would you like to learn?"


class Command(BaseCommand):
    help = (
        "Prepare the demo: start a sandbox seeded with the demo scenario for a moment, link its "
        "Zoom account and HubSpot portal, discover the webinars, create an admin login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="", help="Default: a new random password.")
        parser.add_argument(
            "--env-file", default="",
            help="Where to write the sandbox's OAuth app settings (default: var/demo.env).")

    def handle(self, *args, **opts):
        from sandbox import SandboxServer

        sandbox_url = settings.HUBSPOT_API_BASE_URL.rsplit("/hubspot", 1)[0]
        if not settings.HUBSPOT_API_BASE_URL.endswith("/hubspot"):
            raise CommandError(
                "demo_setup links the sandbox: set ZOOM_OAUTH_BASE_URL, ZOOM_API_BASE_URL and "
                "HUBSPOT_API_BASE_URL to the sandbox (make demo does this)."
            )
        port = int(sandbox_url.rsplit(":", 1)[1])
        with SandboxServer(port=port) as sandbox:
            requests.post(f"{sandbox.url}/_sandbox/seed", json={"scenario": "demo"},
                          timeout=30).raise_for_status()
            creds = requests.get(f"{sandbox.url}/_sandbox/credentials", timeout=10).json()
            try:
                portal = hubspot_portal_connect_private_app(
                    token=creds["hubspot"]["token"], portal_id=creds["hubspot"]["portal_id"],
                    app_id=creds["hubspot"]["app_id"],
                    client_secret=creds["hubspot"]["client_secret"], name="Sandbox HubSpot",
                )
                account = zoom_account_connect_s2s(
                    account_id=creds["zoom"]["account_id"], client_id=creds["zoom"]["client_id"],
                    client_secret=creds["zoom"]["client_secret"],
                    webhook_secret=creds["zoom"]["webhook_secret"], name="Sandbox Zoom",
                    hubspot_portal=portal,
                )
            except IntegrationError as exc:
                raise CommandError(f"Demo setup failed: {exc.message}") from None
            # upcoming webinars, and the held ones Zoom no longer lists (from its history)
            backfill = webinars_backfill(account=account, since=backfill_default_since(),
                                         trigger="demo setup")
            if backfill.run.status != backfill.run.Status.SUCCEEDED:
                raise CommandError(f"Demo setup failed: {backfill.run.error}")
            webinars = backfill.webinars
        self._write_demo_env(creds, sandbox_url, opts["env_file"]
                             or settings.BASE_DIR / "var" / "demo.env")
        sync_settings = SyncSettings.get_solo()
        if DEMO_EXCLUDED_DOMAIN not in sync_settings.excluded_domains:
            sync_settings.contact_exclusion_domains = "\n".join(
                sorted(sync_settings.excluded_domains | {DEMO_EXCLUDED_DOMAIN}))
            sync_settings.save()
        self._signup_rule()

        password = opts["password"] or secrets.token_urlsafe(9)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=opts["username"])
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(
            f"Linked “{account.name}” → “{portal.name}”; {len(webinars)} webinar(s) discovered."
        ))
        self.stdout.write(
            "\n  Admin:    http://127.0.0.1:8000/admin/\n"
            f"  User:     {user.username}\n"
            f"  Password: {password}\n"
            f"  Sandbox:  {sandbox_url}/_sandbox/state\n\n"
            "Tick a webinar's Sync box and press Save; contacts appear under Contacts and in "
            "the sandbox state.\n\n"
            f"To watch webinar {LIVE_WEBINAR_ID} go live (tick its Sync box first), play a "
            "session whose webhooks reach the web server:\n"
            f"  curl -s -X POST {sandbox_url}/_sandbox/zoom/webinars/{LIVE_WEBINAR_ID}/live "
            "-d '{\"speed\": 60, \"registrations\": [{\"email\": \"new@example.com\"}], "
            "\"joins\": [[\"new@example.com\", 0, 45], [\"guest@example.com\", 10, 20]]}'\n"
            "then watch Linked accounts and sync → Webhook deliveries in the admin.\n"
        )

    def _signup_rule(self) -> None:
        """The sign-up form → Inbound Playbook rule and the question it needs mapped (once)."""
        QuestionMapping.objects.get_or_create(
            kind=QuestionMapping.Kind.CUSTOM, question=SIGNUP_QUESTION,
            defaults={"hubspot_property": "message"})
        webinar = Webinar.objects.filter(zoom_id=str(SIGNUP_WEBINAR_ID)).first()
        if webinar is None:
            return
        rule, _ = RegistrationRule.objects.get_or_create(
            form_guid=SIGNUP_FORM_GUID, webinar=webinar,
            defaults={"form_name": SIGNUP_FORM_NAME})
        self.stdout.write(f"Form rule: “{rule.form_name or rule.form_guid}” → "
                          f"{webinar.topic} ({webinar.zoom_id}).")

    def _write_demo_env(self, creds: dict, sandbox_url: str, path) -> None:
        """The sandbox's OAuth apps, so the admin's "Connect … (OAuth)" buttons work too."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([
            f"ZOOM_OAUTH_CLIENT_ID={creds['zoom']['oauth_client_id']}",
            f"ZOOM_OAUTH_CLIENT_SECRET={creds['zoom']['oauth_client_secret']}",
            f"HUBSPOT_CLIENT_ID={creds['hubspot']['client_id']}",
            f"HUBSPOT_CLIENT_SECRET={creds['hubspot']['client_secret']}",
            f"HUBSPOT_AUTHORIZE_URL={sandbox_url}/hubspot/oauth/authorize",
        ]) + "\n")
        path.chmod(0o600)
