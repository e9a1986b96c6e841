"""How long the clients wait before retrying: the time the service asks for, or not at all.

The waits are recorded by giving the client its own `sleep`; every request still goes over
HTTP to the sandbox, which answers 429 with a Retry-After in the form under test.
"""

from datetime import UTC, datetime

import pytest
import requests
import time_machine

from integrations.errors import RateLimited
from integrations.hubspot.client import HubSpotClient
from integrations.services.tokens import ZoomAccountTokens
from integrations.zoom.client import ZoomClient

pytestmark = pytest.mark.django_db


def control(sandbox, path, body):
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=10)
    response.raise_for_status()


def hubspot_client(sandbox, waits: list) -> HubSpotClient:
    return HubSpotClient(access_token=sandbox.credentials()["hubspot"]["token"],
                         sleep=waits.append)


def rate_limited_calls(sandbox, form: str, asked_s: float) -> tuple[list, int]:
    """Six HubSpot calls while half the answers are 429 with a Retry-After in `form`; returns
    the waits the client asked for and how many 429s the sandbox sent."""
    control(sandbox, "faults", {"rate_limit_rate": 0.5, "retry_after": form,
                                "retry_after_s": asked_s, "services": ["hubspot"], "seed": 7})
    waits = []
    client = hubspot_client(sandbox, waits)
    for _ in range(6):
        assert client.list_property_groups()  # every call ends well, after its retries
    rate_limited = sandbox.calls()["rate_limited"]
    assert rate_limited > 0
    return waits, rate_limited


def test_retry_after_in_seconds_is_the_wait(sandbox):
    waits, rate_limited = rate_limited_calls(sandbox, "seconds", 3)
    assert waits == [3.0] * rate_limited


def test_retry_after_in_milliseconds_is_the_wait(sandbox):
    waits, rate_limited = rate_limited_calls(sandbox, "milliseconds", 1.25)
    assert waits == [1.25] * rate_limited


def test_retry_after_as_a_date_waits_until_that_date(sandbox):
    waits, rate_limited = rate_limited_calls(sandbox, "iso", 3)
    # The sandbox names the whole second at or after "now + 3 s": a wait of 3 s, give or take
    # that rounding and the time the answer takes to arrive.
    assert len(waits) == rate_limited
    assert all(2.0 <= wait <= 4.0 for wait in waits), f"waited {waits}, asked for about 3 s"


def test_hubspot_daily_limit_sends_one_request_and_never_waits(sandbox):
    control(sandbox, "limits", {"hubspot_daily": 1})
    waits = []
    client = hubspot_client(sandbox, waits)
    client.list_property_groups()  # the day's last allowed call
    sandbox.reset_calls()
    sent_before = client.stats["requests"]

    with pytest.raises(RateLimited) as exc:
        client.list_property_groups()

    assert "daily API limit" in exc.value.message
    assert waits == [], "retried although the daily quota only comes back tomorrow"
    assert sandbox.calls()["total"] == 1, "requests sent after the daily limit was reached"
    assert client.stats["requests"] - sent_before == 1


def test_a_retry_after_longer_than_the_longest_wait_fails_at_once(sandbox, settings):
    settings.API_MAX_RETRY_WAIT_S = 5
    control(sandbox, "faults", {"rate_limit_rate": 1.0, "retry_after": "seconds",
                                "retry_after_s": 6, "services": ["hubspot"]})
    waits = []
    client = hubspot_client(sandbox, waits)

    with pytest.raises(RateLimited) as exc:
        client.list_property_groups()

    assert exc.value.retry_after == 6
    assert waits == [], "retried although the service asked for a wait over API_MAX_RETRY_WAIT_S"
    assert sandbox.calls()["total"] == 1, "requests sent for one call"
    assert client.stats["requests"] == 1


def test_zoom_daily_limit_fails_at_once_until_midnight(sandbox, linked):
    account, _ = linked
    control(sandbox, "limits", {"zoom_daily_heavy": 1})
    waits = []
    client = ZoomClient(tokens=ZoomAccountTokens(account), account_key=account.zoom_account_id,
                        sleep=waits.append)
    today = datetime.now(UTC).date().isoformat()
    # Noon UTC, for the product and the sandbox alike: midnight (when Zoom's daily quota comes
    # back) is hours away, never within the longest wait we accept.
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        list(client.iter_past_webinar_pages(date_from=today, date_to=today))  # the last one
        sandbox.reset_calls()
        sent_before = client.stats["requests"]
        with pytest.raises(RateLimited) as exc:
            list(client.iter_past_webinar_pages(date_from=today, date_to=today))

    assert exc.value.retry_after == pytest.approx(12 * 3600, abs=60)
    assert waits == [], "retried although the daily quota only comes back at midnight"
    assert sandbox.calls()["total"] == 1, "requests sent after the daily limit was reached"
    assert client.stats["requests"] - sent_before == 1
