"""Fixtures for the sandbox's own tests: a fresh in-process server per test, plain requests."""

import os
import time

import pytest
import requests

from sandbox import SandboxServer, World
from sandbox.clock import FrozenClock


class Client:
    """Talks to one sandbox the way the product does: Zoom, HubSpot and control calls."""

    def __init__(self, srv: SandboxServer):
        self.srv = srv
        self.url = srv.url
        self.http = requests.Session()
        self.creds = self.http.get(f"{self.url}/_sandbox/credentials", timeout=10).json()
        self._zoom_token = None

    # control
    def seed(self, scenario: str, **params) -> dict:
        response = self.http.post(f"{self.url}/_sandbox/seed",
                                  json={"scenario": scenario, **params}, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self, section: str | None = None) -> dict:
        params = {"section": section} if section else None
        return self.http.get(f"{self.url}/_sandbox/state", params=params, timeout=60).json()

    def calls(self) -> dict:
        return self.http.get(f"{self.url}/_sandbox/calls", timeout=10).json()

    def hubspot_contacts_emails(self) -> list[str]:
        return [c["properties"]["email"] for c in self.state("hubspot")["hubspot"]["contacts"]]

    def limits(self, **limits) -> dict:
        response = self.http.post(f"{self.url}/_sandbox/limits", json=limits, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def faults(self, **faults) -> dict:
        response = self.http.post(f"{self.url}/_sandbox/faults", json=faults, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def clock(self) -> dict:
        return self.http.get(f"{self.url}/_sandbox/clock", timeout=10).json()

    def advance(self, seconds: float) -> dict:
        """Moves the sandbox's time forward (what a test does instead of sleeping)."""
        response = self.http.post(f"{self.url}/_sandbox/clock", json={"advance_s": seconds},
                                  timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    # Zoom
    def token_response(self, client_id=None, client_secret=None, **form):
        zoom = self.creds["zoom"]
        data = {"grant_type": "account_credentials", "account_id": zoom["account_id"]}
        data.update(form)
        return self.http.post(
            f"{self.url}/zoom/oauth/token", data=data, timeout=10,
            auth=(client_id or zoom["client_id"], client_secret or zoom["client_secret"]))

    def zoom_token(self) -> str:
        if self._zoom_token is None:
            response = self.token_response()
            assert response.status_code == 200, response.text
            self._zoom_token = response.json()["access_token"]
        return self._zoom_token

    def zoom(self, method: str, path: str, *, record: bool = True, **kw):
        """``path`` is relative to /zoom/v2 and sent as-is (already encoded).

        ``record=False``: off Zoom's spec on purpose, keep it out of the exchange record.
        """
        headers = {"Authorization": f"Bearer {self.zoom_token()}", **kw.pop("headers", {})}
        if not record:
            headers["X-Sandbox-Record"] = "off"
        return self.http.request(method, f"{self.url}/zoom/v2{path}", headers=headers,
                                 timeout=30, **kw)

    # HubSpot
    def hubspot(self, method: str, path: str, **kw):
        headers = {"Authorization": f"Bearer {self.creds['hubspot']['token']}",
                   **kw.pop("headers", {})}
        return self.http.request(method, f"{self.url}/hubspot{path}", headers=headers,
                                 timeout=30, **kw)


@pytest.fixture
def srv():
    # SANDBOX_RECORD=FILE records these exchanges too (for the contract check of the specs)
    with SandboxServer(record_path=os.environ.get("SANDBOX_RECORD") or None) as server:
        yield server


@pytest.fixture
def client(srv) -> Client:
    c = Client(srv)
    yield c
    c.http.close()


@pytest.fixture
def frozen_client():
    """A client of a sandbox whose clock stands still between advances, at noon UTC today: for
    exact windows (Zoom's per-second limit, daily caps) and exact "N seconds ago" messages.
    Its "now" is ``clock()["now"]``, not the test's."""
    noon = (time.time() // 86400) * 86400 + 12 * 3600
    world = World(clock=FrozenClock(noon))
    with SandboxServer(world=world, record_path=os.environ.get("SANDBOX_RECORD") or None) as srv:
        c = Client(srv)
        yield c
        c.http.close()
