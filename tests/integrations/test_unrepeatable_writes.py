"""Writes that must not be applied twice (attendance records) are retried only when HubSpot
cannot have applied them; otherwise the client says the outcome is unknown, and HubSpot's
participations breakdown tells what arrived."""

import socket

import pytest

from integrations.errors import OutcomeUnknown, ServiceUnreachable
from integrations.hubspot.client import HubSpotClient
from tests.integrations.test_http_retry_policy import FaultOnce, Waits, faults

ACCOUNT = "zoom-account-1"
EVENT = "zoom-webinar-1"
WRITES = "/marketing/v3/marketing-events/attendance/"
RECORD = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
          "{subscriberState}/email-create")


def client_for(sandbox, sleep, **kw) -> HubSpotClient:
    client = HubSpotClient(access_token=sandbox.credentials()["hubspot"]["token"],
                           sleep=sleep, **kw)
    client.upsert_marketing_events([{
        "externalAccountId": ACCOUNT, "externalEventId": EVENT, "eventName": "W",
        "eventOrganizer": "Host", "customProperties": {}}])
    return client


def register(client, *emails):
    client.record_attendance(
        external_event_id=EVENT, external_account_id=ACCOUNT, state="register",
        inputs=[{"email": e, "interactionDateTime": 1_700_000_000_000, "properties": {},
                 "contactProperties": {}} for e in emails])


def recorded(client, *emails, state="register"):
    return client.attendance_recorded(external_account_id=ACCOUNT, external_event_id=EVENT,
                                      state=state, people={e: "" for e in emails})


def records(sandbox) -> list:
    return sandbox.marketing_events()[EVENT]["attendance"]


def test_a_lost_answer_is_not_resent_but_reported_unknown(sandbox):
    client = client_for(sandbox, Waits())
    faults(sandbox, {"reset_after_apply_rate": 1, "paths": [WRITES]})
    with pytest.raises(OutcomeUnknown) as exc:
        register(client, "ann@example.com", "bob@example.com")
    assert exc.value.service == "HubSpot"
    assert exc.value.message == (
        f"HubSpot POST /marketing/v3/marketing-events/attendance/{EVENT}/register/email-create "
        "got no answer that says whether it was applied (ConnectionError).")
    assert sandbox.calls()["by_endpoint"][RECORD] == 1  # not sent again
    assert len(records(sandbox)) == 2  # though HubSpot did record them
    assert recorded(client, "ann@example.com", "bob@example.com", "cy@example.com") == {
        "ann@example.com", "bob@example.com"}
    assert recorded(client, "ann@example.com", state="attend") == set()


def test_a_5xx_on_such_a_write_is_an_unknown_outcome_too(sandbox):
    client = client_for(sandbox, Waits())
    faults(sandbox, {"error_rate": 1, "paths": [WRITES]})
    with pytest.raises(OutcomeUnknown) as exc:
        register(client, "ann@example.com")
    assert exc.value.status in (500, 502, 503, 504)
    assert exc.value.service == "HubSpot"
    assert exc.value.message == (
        f"HubSpot POST /marketing/v3/marketing-events/attendance/{EVENT}/register/email-create "
        f"got no answer that says whether it was applied (HTTP {exc.value.status}).")
    assert sandbox.calls()["by_endpoint"][RECORD] == 1
    assert recorded(client, "ann@example.com") == set()


def test_a_429_on_such_a_write_is_retried_as_it_was_not_applied(sandbox):
    sleep = FaultOnce(sandbox)
    client = client_for(sandbox, sleep)
    faults(sandbox, {"rate_limit_rate": 1, "retry_after": "milliseconds",
                     "retry_after_s": 0.01, "paths": [WRITES]})
    register(client, "ann@example.com")
    assert sandbox.calls()["by_endpoint"][RECORD] == 2 and len(records(sandbox)) == 1


def test_such_a_write_is_retried_when_no_connection_could_be_made():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = Waits()
    client = HubSpotClient(access_token="pat", base_url=f"http://127.0.0.1:{port}",
                           max_retries=2, sleep=sleep)
    with pytest.raises(ServiceUnreachable):
        register(client, "ann@example.com")
    assert len(sleep) == 2  # every attempt, as none can have arrived


def test_such_a_write_is_retried_when_connecting_timed_out():
    """No answer to the connection attempt itself: nothing can have been sent."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        # a full accept queue: the next connection attempts get no answer at all
        queued = [socket.socket() for _ in range(3)]
        for waiting in queued:
            waiting.setblocking(False)
            waiting.connect_ex(("127.0.0.1", port))
        sleep = Waits()
        client = HubSpotClient(access_token="pat", base_url=f"http://127.0.0.1:{port}",
                               max_retries=1, sleep=sleep, timeout=0.2)
        try:
            with pytest.raises(ServiceUnreachable, match="ConnectTimeout after 2 attempts"):
                register(client, "ann@example.com")
        finally:
            for waiting in queued:
                waiting.close()
    assert len(sleep) == 1


def test_reading_the_breakdown_stops_once_everyone_is_found(sandbox):
    client = client_for(sandbox, Waits())
    register(client, *[f"p{i}@example.com" for i in range(250)])
    sandbox.reset_calls()
    assert recorded(client, "p3@example.com", "p50@example.com") == {
        "p3@example.com", "p50@example.com"}
    reads = {k: n for k, n in sandbox.hubspot_calls().items() if "breakdown" in k}
    assert list(reads.values()) == [1]  # both are on the first page of 100
