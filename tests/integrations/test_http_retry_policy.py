"""How the HTTP client retries, against the sandbox's injected faults: which answers are
retried, how long it asks to wait (recorded instead of slept), and when it gives up."""

import random
from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.errors import (
    AuthenticationFailed,
    IntegrationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServiceUnreachable,
    TransientError,
)
from integrations.http import JsonApi, backoff_delay, parse_retry_after
from integrations.hubspot.client import HubSpotClient
from tests.scenarios import past_webinar, world

GROUPS = "/crm/v3/properties/contacts/groups"


class Waits(list):
    """A sleep that records each wait instead of sleeping; a client that retries past any
    sensible limit fails the test at once instead of spinning."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        assert len(self) <= 20, "the client keeps retrying"


class FaultOnce(Waits):
    """Records waits, and lets the sandbox recover after `failures` faults."""

    def __init__(self, sandbox, failures: int = 1):
        super().__init__()
        self.sandbox, self.failures = sandbox, failures

    @property
    def waits(self) -> list:
        return list(self)

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        if len(self) >= self.failures:
            faults(self.sandbox, {})


def faults(sandbox, body: dict) -> None:
    requests.post(f"{sandbox.url}/_sandbox/faults", json=body, timeout=10).raise_for_status()


def hubspot(sandbox, sleep, **kw) -> HubSpotClient:
    return HubSpotClient(access_token=sandbox.credentials()["hubspot"]["token"],
                         sleep=sleep, **kw)


def hubspot_calls(sandbox) -> int:
    return sandbox.calls()["by_endpoint"].get(f"hubspot GET {GROUPS}", 0)


# --- waits a service asks for -------------------------------------------------------------

@pytest.mark.parametrize(("form", "asked", "expected"), [
    ("seconds", 7, 7.0),
    ("milliseconds", 0.25, 0.25),
])
def test_a_429_waits_exactly_what_retry_after_says(sandbox, form, asked, expected):
    faults(sandbox, {"rate_limit_rate": 1.0, "retry_after": form, "retry_after_s": asked,
                     "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    client = hubspot(sandbox, sleep, max_retry_wait_s=60)
    assert client.list_property_groups()
    assert sleep.waits == [pytest.approx(expected)]
    assert client.stats["rate_limited"] == 1 and client.stats["retries"] == 1
    assert client.stats["requests"] == 2
    assert hubspot_calls(sandbox) == 2


def test_a_429_retry_after_date_waits_until_that_time(sandbox):
    faults(sandbox, {"rate_limit_rate": 1.0, "retry_after": "iso", "retry_after_s": 40,
                     "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    assert hubspot(sandbox, sleep, max_retry_wait_s=60).list_property_groups()
    assert len(sleep.waits) == 1 and 35 <= sleep.waits[0] <= 42


def test_a_429_longer_than_the_longest_wait_fails_at_once(sandbox):
    faults(sandbox, {"rate_limit_rate": 1.0, "retry_after": "seconds", "retry_after_s": 90,
                     "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    with pytest.raises(RateLimited) as exc:
        hubspot(sandbox, sleep, max_retry_wait_s=60).list_property_groups()
    assert sleep.waits == []
    assert hubspot_calls(sandbox) == 1
    assert exc.value.retry_after == 90 and exc.value.status == 429
    assert exc.value.service == "HubSpot"
    assert exc.value.detail
    assert exc.value.message == (f"HubSpot GET {GROUPS} failed with HTTP 429 after 1 "
                                 f"attempt(s): {exc.value.detail} (retry after 90 s)")


def test_a_wait_of_exactly_the_longest_wait_is_still_waited(sandbox):
    faults(sandbox, {"rate_limit_rate": 1.0, "retry_after": "seconds", "retry_after_s": 60,
                     "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    assert hubspot(sandbox, sleep, max_retry_wait_s=60).list_property_groups()
    assert sleep.waits == [60.0]


def test_a_429_without_retry_after_backs_off(sandbox, settings):
    settings.API_RETRY_BACKOFF_S = 1.0
    faults(sandbox, {"rate_limit_rate": 1.0, "retry_after": "none", "services": ["hubspot"]})
    sleep = FaultOnce(sandbox, failures=3)
    client = hubspot(sandbox, sleep, max_retries=5)
    assert client.list_property_groups()
    assert len(sleep.waits) == 3
    # full jitter: up to 1, 2, then 4 seconds
    for attempt, wait in enumerate(sleep.waits):
        assert 0 <= wait <= 2 ** attempt
    assert client.stats["rate_limited"] == 3 and client.stats["retries"] == 3


# --- server errors and broken connections -------------------------------------------------

def test_server_errors_are_retried_until_max_retries_then_fail(sandbox, settings):
    settings.API_RETRY_BACKOFF_S = 0.5
    faults(sandbox, {"error_rate": 1.0, "services": ["hubspot"], "seed": 2})
    waits = Waits()
    client = hubspot(sandbox, waits, max_retries=4)
    with pytest.raises(TransientError) as exc:
        client.list_property_groups()
    assert hubspot_calls(sandbox) == 5  # the first try and four retries
    # every kind of server error was retried (the sandbox drew each of them)
    assert {"500", "502", "503", "504"} <= set(sandbox.calls()["by_status"])
    assert len(waits) == 4 and all(0 <= w <= 0.5 * 2 ** i for i, w in enumerate(waits))
    assert exc.value.status in (500, 502, 503, 504)
    assert not isinstance(exc.value, RateLimited)
    assert exc.value.service == "HubSpot" and exc.value.detail
    assert exc.value.code == "INTERNAL_ERROR"  # HubSpot's error category
    assert exc.value.message == (f"HubSpot GET {GROUPS} failed with HTTP {exc.value.status} "
                                 f"after 5 attempt(s): {exc.value.detail}")
    assert client.stats == {**client.stats, "requests": 5, "retries": 4, "rate_limited": 0}


def test_no_retries_means_one_attempt(sandbox):
    faults(sandbox, {"error_rate": 1.0, "services": ["hubspot"]})
    waits = Waits()
    with pytest.raises(TransientError):
        hubspot(sandbox, waits, max_retries=0).list_property_groups()
    assert waits == [] and hubspot_calls(sandbox) == 1


def test_the_default_number_of_retries_comes_from_the_settings(sandbox, settings):
    settings.API_MAX_RETRIES = 2
    faults(sandbox, {"error_rate": 1.0, "services": ["hubspot"]})
    waits = Waits()
    with pytest.raises(TransientError):
        hubspot(sandbox, waits).list_property_groups()
    assert len(waits) == 2 and hubspot_calls(sandbox) == 3


def test_a_server_error_once_is_invisible_to_the_caller(sandbox):
    faults(sandbox, {"error_rate": 1.0, "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    client = hubspot(sandbox, sleep)
    assert [g["name"] for g in client.list_property_groups()]
    assert len(sleep.waits) == 1 and client.stats["rate_limited"] == 0


def test_a_reset_connection_is_retried(sandbox):
    faults(sandbox, {"reset_rate": 1.0, "services": ["hubspot"]})
    sleep = FaultOnce(sandbox, failures=2)
    client = hubspot(sandbox, sleep)
    assert client.list_property_groups()
    assert len(sleep.waits) == 2 and client.stats["retries"] == 2


def test_connections_that_keep_failing_end_in_service_unreachable(sandbox):
    faults(sandbox, {"reset_rate": 1.0, "services": ["hubspot"]})
    waits = Waits()
    client = hubspot(sandbox, waits, max_retries=2)
    with pytest.raises(ServiceUnreachable) as exc:
        client.list_property_groups()
    assert len(waits) == 2
    assert "after 3 attempts" in exc.value.message
    assert exc.value.service == "HubSpot"
    assert client.base_url in exc.value.message


def test_an_unreachable_host_is_tried_max_retries_plus_one_times(db, settings):
    settings.API_RETRY_BACKOFF_S = 0.5
    waits = Waits()
    client = HubSpotClient(access_token="t", base_url="http://127.0.0.1:9/hubspot/",
                           max_retries=2, sleep=waits)
    with pytest.raises(ServiceUnreachable) as exc:
        client.list_property_groups()
    assert client.stats == {"requests": 3, "retries": 2, "rate_limited": 0, "paced_s": 0.0}
    # backed off with full jitter: up to 0.5 s, then up to 1 s
    assert len(waits) == 2 and all(isinstance(w, float) for w in waits)
    assert 0 <= waits[0] <= 0.5 and 0 <= waits[1] <= 1.0
    assert client.base_url == "http://127.0.0.1:9/hubspot"
    assert exc.value.service == "HubSpot"
    assert exc.value.message.startswith(
        "Could not reach HubSpot at http://127.0.0.1:9/hubspot (ConnectionError after 3 "
        "attempts).")


def test_a_service_that_does_not_answer_in_time_is_given_up_on(sandbox, settings):
    settings.API_TIMEOUT_S = 0.3
    faults(sandbox, {"slow_rate": 1.0, "slow_s": 1.5, "services": ["hubspot"]})
    waits = Waits()
    with pytest.raises(ServiceUnreachable) as exc:
        hubspot(sandbox, waits, max_retries=1).list_property_groups()
    assert "Timeout" in exc.value.message and len(waits) == 1


# --- answers that are not retried ---------------------------------------------------------

def test_a_rejected_request_is_not_retried(sandbox):
    waits = Waits()
    client = hubspot(sandbox, waits)
    with pytest.raises(InvalidRequest) as exc:
        client.request("POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": "x"})
    assert exc.value.status == 400 and waits == []
    assert sandbox.calls()["total"] == 1



def test_a_404_is_not_retried_and_says_what_was_missing(sandbox):
    waits = Waits()
    client = hubspot(sandbox, waits)
    with pytest.raises(NotFound) as exc:
        client.request("GET", "/crm/v3/no-such-thing")
    assert waits == [] and exc.value.status == 404
    assert sandbox.calls()["total"] == 1
    assert exc.value.message.startswith(
        "HubSpot GET /crm/v3/no-such-thing failed with HTTP 404: ")


def test_a_refused_token_is_not_retried(sandbox):
    waits = Waits()
    client = HubSpotClient(access_token="not-a-token", sleep=waits)
    with pytest.raises(AuthenticationFailed) as exc:
        client.list_property_groups()
    assert waits == [] and exc.value.status == 401
    assert hubspot_calls(sandbox) == 1


def test_daily_limit_is_not_retried(sandbox):
    requests.post(f"{sandbox.url}/_sandbox/limits", json={"hubspot_daily": 1},
                  timeout=10).raise_for_status()
    waits = Waits()
    client = hubspot(sandbox, waits)
    client.list_property_groups()
    with pytest.raises(RateLimited) as exc:
        client.list_property_groups()
    assert waits == [] and hubspot_calls(sandbox) == 2
    assert "daily API limit" in exc.value.message


def test_an_answer_that_is_not_json_is_an_error(sandbox):
    sandbox.seed("custom", **world(past_webinar()))
    client = JsonApi(base_url=f"{sandbox.url}/zoom", sleep=Waits())
    # a Zoom join link is a web page, not an API answer
    with pytest.raises(IntegrationError) as exc:
        client.request("GET", "/w/81234567890", authenticated=False)
    assert "not JSON" in exc.value.message and exc.value.status == 200
    assert exc.value.service == "API"


# --- pure parts --------------------------------------------------------------------------

def test_retry_after_ms_wins_and_bad_values_fall_back():
    assert parse_retry_after({"Retry-After-Ms": "1500", "Retry-After": "9"}) == 1.5
    assert parse_retry_after({"Retry-After-Ms": "soon", "Retry-After": "9"}) == 9.0
    assert parse_retry_after({"Retry-After-Ms": "", "Retry-After": "9"}) == 9.0
    assert parse_retry_after({"Retry-After-Ms": "-5"}) == 0.0
    assert parse_retry_after({"Retry-After": "-5"}) == 0.0
    assert parse_retry_after({"Retry-After": "  12  "}) == 12.0
    assert parse_retry_after({"Retry-After": "   "}) is None


def test_retry_after_dates_with_and_without_a_zone():
    soon = datetime.now(UTC) + timedelta(seconds=100)
    naive = soon.replace(tzinfo=None).isoformat(timespec="seconds")
    assert 95 <= parse_retry_after({"Retry-After": naive}) <= 101
    zoned = (soon.astimezone(UTC) + timedelta(hours=2)).replace(tzinfo=None).isoformat(
        timespec="seconds") + "+02:00"
    assert 95 <= parse_retry_after({"Retry-After": zoned}) <= 101
    http_date = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 95 <= parse_retry_after({"Retry-After": http_date}) <= 101
    past = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parse_retry_after({"Retry-After": past}) == 0.0


def test_backoff_is_full_jitter_up_to_a_doubling_cap(settings):
    settings.API_RETRY_BACKOFF_S = 1.0
    rng_state = random.getstate()
    try:
        random.seed(20261201)
        for attempt, cap in [(0, 1.0), (1, 2.0), (3, 8.0), (4, 16.0), (6, 30.0), (12, 30.0)]:
            draws = [backoff_delay(attempt) for _ in range(300)]
            assert all(0 <= d <= cap for d in draws), attempt
            assert max(draws) > 0.9 * cap and min(draws) < 0.1 * cap, attempt
    finally:
        random.setstate(rng_state)


# --- a bare JSON API (no service-specific rules) ------------------------------------------

def test_a_bare_api_retries_server_errors_and_gives_the_body_on_failure(sandbox):
    faults(sandbox, {"error_rate": 1.0, "services": ["hubspot"]})
    sleep = FaultOnce(sandbox)
    api = JsonApi(base_url=f"{sandbox.url}/hubspot", sleep=sleep)
    with pytest.raises(AuthenticationFailed) as exc:  # retried once, then no token
        api.request("GET", GROUPS, authenticated=False)
    assert len(sleep.waits) == 1 and hubspot_calls(sandbox) == 2
    assert exc.value.status == 401 and exc.value.code is None and exc.value.service == "API"
    assert exc.value.detail == exc.value.message.split(": ", 1)[1]
    assert "Authentication credentials not found" in exc.value.detail
