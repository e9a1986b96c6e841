"""The product's database as the process benchmarks find it: migrated, the sandbox's Zoom
account and HubSpot portal linked, the account's webinars discovered, and the repeating
schedule removed so only the benchmark starts work. Runs in a child process whose environment
points the product at the sandbox."""

import os

import requests


def product_link_and_discover() -> dict:
    """Prepares the database; returns the sandbox's credentials."""
    import django

    django.setup()
    from django.core.management import call_command
    from django_q.models import Schedule

    from integrations.services.accounts import (
        hubspot_portal_connect_private_app,
        zoom_account_connect_s2s,
    )
    from webinars.services.discovery import webinars_discover

    call_command("migrate", verbosity=0)
    Schedule.objects.all().delete()
    sandbox_url = os.environ["HUBSPOT_API_BASE_URL"].rsplit("/hubspot", 1)[0]
    creds = requests.get(f"{sandbox_url}/_sandbox/credentials", timeout=30).json()
    hubspot_portal_connect_private_app(token=creds["hubspot"]["token"],
                                       portal_id=creds["hubspot"]["portal_id"])
    account = zoom_account_connect_s2s(
        account_id=creds["zoom"]["account_id"], client_id=creds["zoom"]["client_id"],
        client_secret=creds["zoom"]["client_secret"],
        webhook_secret=creds["zoom"]["webhook_secret"], name="Benchmark Zoom")
    webinars_discover(account=account)
    return creds
