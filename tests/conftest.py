"""Shared fixtures: a real sandbox over HTTP, and linked accounts pointing at it."""

import os
from pathlib import Path

import pytest
import requests

from sandbox import SandboxServer


@pytest.fixture(autouse=True)
def _webhook_secrets_forgotten():
    """The webhook endpoint keeps linked accounts' secrets for a few seconds; a test's
    accounts are gone with its database, which sends no signal."""
    from integrations.webhooks.zoom import webhook_secrets_forget

    webhook_secrets_forget()


class SandboxApi:
    """The sandbox's control API, as a test sees it."""

    def __init__(self, url: str):
        self.url = url

    def _post(self, path, body=None):
        response = requests.post(f"{self.url}/_sandbox/{path}", json=body or {}, timeout=60)
        response.raise_for_status()
        return response.json() if response.content else {}

    def reset(self):
        return self._post("reset")

    def seed(self, scenario: str, **params):
        return self._post("seed", {"scenario": scenario, **params})

    def state(self, section: str | None = None) -> dict:
        params = {"section": section} if section else None
        return requests.get(f"{self.url}/_sandbox/state", params=params, timeout=60).json()

    def calls(self) -> dict:
        return requests.get(f"{self.url}/_sandbox/calls", timeout=10).json()

    def reset_calls(self):
        return self._post("calls/reset")

    def credentials(self) -> dict:
        return requests.get(f"{self.url}/_sandbox/credentials", timeout=10).json()

    def limits(self, **limits) -> dict:
        return self._post("limits", limits)

    def faults(self, **faults) -> dict:
        """Injected faults, e.g. slow answers (`slow_rate`, `slow_s`, `services`)."""
        return self._post("faults", faults)

    # time and Zoom's unfinished sessions (what the outside world does between two syncs)
    def clock(self) -> dict:
        return requests.get(f"{self.url}/_sandbox/clock", timeout=10).json()

    def advance_clock(self, seconds: float) -> dict:
        """The sandbox's time moves forward; the product's clock does not."""
        return self._post("clock", {"advance_s": seconds})

    def zoom_report(self, uuid: str, *, ready: bool) -> dict:
        """Zoom has (ready) or has not yet (not ready) the report of a held session."""
        return self._post("zoom/report", {"uuid": uuid, "ready": ready})

    def zoom_participants(self, uuid: str, *, durations_computed: bool | None = None,
                          leave_minutes: dict[str, float] | None = None) -> dict:
        """Zoom still computing a session's durations, or finishing them with real leave times
        (minutes after the session's start, per e-mail)."""
        body = {"uuid": uuid}
        if durations_computed is not None:
            body["durations_computed"] = durations_computed
        if leave_minutes is not None:
            body["leave_minutes"] = leave_minutes
        return self._post("zoom/participants", body)

    def expire_page_tokens(self) -> dict:
        """Every Zoom next_page_token issued so far expires, as 15 minutes later."""
        return self._post("zoom/page-tokens/expire")

    # conveniences over the state
    def hubspot_contacts(self) -> dict[str, dict]:
        contacts = self.state("hubspot")["hubspot"]["contacts"]
        return {c["properties"]["email"]: c["properties"] for c in contacts}

    def marketing_events(self) -> dict[str, dict]:
        events = self.state("hubspot")["hubspot"]["marketing_events"]
        return {e["externalEventId"]: e for e in events}

    def hubspot_calls(self) -> dict[str, int]:
        return {k: v for k, v in self.calls()["by_endpoint"].items() if k.startswith("hubspot ")}

    def zoom_token(self) -> str:
        creds = self.credentials()["zoom"]
        response = requests.post(
            f"{self.url}/zoom/oauth/token",
            data={"grant_type": "account_credentials", "account_id": creds["account_id"]},
            auth=(creds["client_id"], creds["client_secret"]), timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def zoom_revoke(self, token: str) -> dict:
        """Revokes a Server-to-Server token at Zoom's OAuth server, as an admin can."""
        creds = self.credentials()["zoom"]
        response = requests.post(f"{self.url}/zoom/oauth/revoke", params={"token": token},
                                 auth=(creds["client_id"], creds["client_secret"]), timeout=10)
        response.raise_for_status()
        return response.json()

    def zoom(self, method: str, path: str, **kw):
        """Acts as a Zoom admin would, through Zoom's own API."""
        headers = {"Authorization": f"Bearer {self.zoom_token()}"}
        return requests.request(method, f"{self.url}/zoom/v2{path}", headers=headers,
                                timeout=10, **kw)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The SQLite test database is a file named after the test process (see
    config/settings/test.py). A process forked after the settings were loaded — mutmut runs
    each mutant's tests that way, several at once — would inherit its parent's file name, so
    the file is named after the process that runs this session."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = (db.get("TEST") or {}).get("NAME") or ""
    if db["ENGINE"].endswith("sqlite3") and "test-db-" in name:
        db["TEST"]["NAME"] = str(Path(name).with_name(f"test-db-{os.getpid()}.sqlite3"))


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(record_path=os.environ.get("SANDBOX_RECORD") or None).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server, settings) -> SandboxApi:
    """An empty sandbox, with the product's base URLs pointing at it."""
    settings.ZOOM_OAUTH_BASE_URL = f"{sandbox_server.url}/zoom"
    settings.ZOOM_API_BASE_URL = f"{sandbox_server.url}/zoom/v2"
    settings.HUBSPOT_API_BASE_URL = f"{sandbox_server.url}/hubspot"
    api = SandboxApi(sandbox_server.url)
    api.reset()
    return api


@pytest.fixture
def linked(sandbox, db):
    """A Zoom account and a HubSpot portal linked through the real connect services."""
    from integrations.services.accounts import (
        hubspot_portal_connect_private_app,
        zoom_account_connect_s2s,
    )

    creds = sandbox.credentials()
    portal = hubspot_portal_connect_private_app(
        token=creds["hubspot"]["token"], portal_id=creds["hubspot"]["portal_id"]
    )
    account = zoom_account_connect_s2s(
        account_id=creds["zoom"]["account_id"], client_id=creds["zoom"]["client_id"],
        client_secret=creds["zoom"]["client_secret"],
        webhook_secret=creds["zoom"]["webhook_secret"], name="Sandbox Zoom",
    )
    assert account.hubspot_portal == portal
    return account, portal
