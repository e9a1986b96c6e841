"""The Zoom client paces itself under the account's per-second limit instead of running into
429s (the sandbox enforces the same limit)."""

import pytest
import requests

from integrations.services.clients import zoom_client_for

pytestmark = pytest.mark.django_db


def test_calls_over_the_per_second_limit_wait_instead_of_bouncing(sandbox, linked, settings):
    account, _ = linked
    # reading a user is a "light" call: one a second; the other categories are roomy
    settings.ZOOM_QPS = {"light": 1, "medium": 50, "heavy": 50}
    requests.post(f"{sandbox.url}/_sandbox/limits", timeout=10, json={
        "zoom_qps": {"light": 1}}).raise_for_status()
    client = zoom_client_for(account=account)
    client.get_user("me")
    sandbox.reset_calls()
    client.get_user("me")
    client.get_user("me")
    assert sandbox.calls()["rate_limited"] == 0
    assert client.stats["paced_s"] > 0 and client.stats["retries"] == 0

