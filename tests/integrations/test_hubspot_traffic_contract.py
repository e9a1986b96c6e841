"""What a sync sends to HubSpot and what the sandbox answers stay within HubSpot's spec,
checked on the recorded exchanges of a sync that meets partial failures and lost answers."""

import json

import pytest

from sandbox.record import Recorder
from tests.hubspot_contract import (
    ATTENDANCE_INPUT,
    BATCH_ERROR,
    BATCH_ERROR_REQUIRED,
    BATCH_READ,
    BATCH_READ_REQUIRED,
    BREAKDOWN_PAGE,
    EVENT_AS_COMPLETED,
    EVENT_AS_WRITTEN,
    PARTICIPATION,
    PARTICIPATION_PROPERTIES,
    PROPERTY_VALUE,
)
from tests.integrations.test_clients import control
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

ME = "/marketing/v3/marketing-events"


@pytest.fixture
def recorded(sandbox_server, tmp_path):
    """The HubSpot exchanges of the test, as `--record` writes them."""
    path = tmp_path / "exchanges.jsonl"
    suite_recorder, sandbox_server.recorder = sandbox_server.recorder, Recorder(str(path))

    def read() -> list[dict]:
        lines = path.read_text().splitlines()
        return [e for e in map(json.loads, lines) if e["service"] == "hubspot"]

    yield read
    sandbox_server.recorder.close()
    sandbox_server.recorder = suite_recorder


def of(exchanges, method, template):
    return [e for e in exchanges if e["method"] == method and e["template"] == template]


def test_a_syncs_hubspot_traffic_keeps_to_the_spec(sandbox, linked, recorded):
    account, _ = linked
    people = [{"email": f"p{i}@crowd.example", "first_name": "P", "status": "approved"}
              for i in range(40)]
    sandbox.seed("custom", **world(past_webinar(
        registrants=people, participants=[(p["email"], 0, 30) for p in people[:25]])))
    control(sandbox, "faults", {"partial_rate": 0.2, "reset_after_apply_rate": 0.3,
                                "paths": ["/crm/v3/objects/contacts/", f"{ME}/attendance/"],
                                "seed": 4})
    sync_one(account, 81234567890)
    exchanges = recorded()

    reads = of(exchanges, "POST", "/crm/v3/objects/contacts/batch/read")
    assert reads
    for e in reads:
        assert BATCH_READ_REQUIRED <= set(e["request_body"]) <= BATCH_READ
        assert e["request_body"]["propertiesWithHistory"] == []

    errors = [err for e in exchanges for err in (e["response_body"] or {}).get("errors") or []
              if e["status"] in (200, 207)]
    assert errors  # new contacts are not found, and some inputs failed
    for err in errors:
        assert BATCH_ERROR_REQUIRED <= set(err) <= BATCH_ERROR

    writes = of(exchanges, "POST",
                f"{ME}/attendance/{{externalEventId}}/{{subscriberState}}/email-create")
    assert writes and {e["status"] for e in writes} == {200}  # no 207: HubSpot gives none
    for e in writes:
        for item in e["request_body"]["inputs"]:
            assert set(item) == ATTENDANCE_INPUT
            assert set(item["properties"]) <= {"joinedAt", "leftAt"}

    [upsert] = of(exchanges, "POST", f"{ME}/events/upsert")
    for event in upsert["request_body"]["inputs"]:
        assert all(set(p) == PROPERTY_VALUE for p in event["customProperties"])
    for result in upsert["response_body"]["results"]:
        assert set(result) <= EVENT_AS_WRITTEN
    [complete] = of(exchanges, "POST", f"{ME}/events/{{externalEventId}}/complete")
    assert set(complete["response_body"]) <= EVENT_AS_COMPLETED

    pages = of(exchanges, "GET",
               f"{ME}/participations/{{externalAccountId}}/{{externalEventId}}/breakdown")
    assert pages  # lost answers were checked against HubSpot's records
    for e in pages:
        assert set(e["response_body"]) <= BREAKDOWN_PAGE
        for item in e["response_body"]["results"]:
            assert set(item) == PARTICIPATION
            assert set(item["properties"]) <= PARTICIPATION_PROPERTIES
