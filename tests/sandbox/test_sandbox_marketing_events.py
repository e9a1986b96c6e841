"""The sandbox's marketing events as HubSpot's spec gives them: the fields of each answer,
custom properties defined on the event object, and the participations breakdown."""

from tests.hubspot_contract import (
    EVENT_AS_COMPLETED,
    EVENT_AS_READ,
    EVENT_AS_WRITTEN,
    PARTICIPATION,
    PROPERTY_VALUE,
)
from tests.sandbox.test_sandbox_hubspot import ACCOUNT, ME, attend_input, create_event

BREAKDOWN = f"{ME}/participations/{ACCOUNT}/zoom-webinar-1/breakdown"


def params(**more):
    return {"externalAccountId": ACCOUNT, **more}


def record(client, state, *inputs):
    response = client.hubspot("POST", f"{ME}/attendance/zoom-webinar-1/{state}/email-create",
                              params=params(), json={"inputs": list(inputs)})
    assert response.status_code == 200, response.text


def test_each_answer_has_exactly_the_fields_hubspots_spec_gives_it(client):
    written = create_event(client, eventDescription="About pipelines").json()
    assert set(written) == EVENT_AS_WRITTEN
    read = client.hubspot("GET", f"{ME}/events/zoom-webinar-1", params=params()).json()
    assert set(read) == EVENT_AS_READ and read["externalEventId"] == "zoom-webinar-1"
    batch = client.hubspot("POST", f"{ME}/events/upsert", json={"inputs": [
        {"externalAccountId": ACCOUNT, "externalEventId": "zoom-webinar-2",
         "eventName": "No dates yet", "eventOrganizer": "Maya", "customProperties": []}]})
    [result] = batch.json()["results"]
    # a date-time or text the event does not have is left out, never null
    assert set(result) == EVENT_AS_WRITTEN - {"startDateTime", "endDateTime", "eventType",
                                        "eventUrl", "eventDescription"}
    done = client.hubspot("POST", f"{ME}/events/zoom-webinar-1/complete", params=params(),
                          json={"startDateTime": "2030-01-01T15:00:00Z",
                                "endDateTime": "2030-01-01T16:00:00Z"})
    assert set(done.json()) == EVENT_AS_COMPLETED


def test_custom_properties_are_kept_only_when_defined_on_the_event_object(client):
    group = client.hubspot("POST", "/crm/v3/properties/marketing_events/groups",
                           json={"name": "zoomsync", "label": "Zoom sync"})
    assert group.status_code == 201
    created = client.hubspot("POST", "/crm/v3/properties/marketing_events/batch/create", json={
        "inputs": [{"name": "zoomsync_webinar_id", "label": "Zoom webinar id",
                    "type": "string", "fieldType": "text", "groupName": "zoomsync"}]})
    assert created.status_code == 201
    # defined on marketing events, not on contacts
    contact_props = client.hubspot("GET", "/crm/v3/properties/contacts").json()["results"]
    assert "zoomsync_webinar_id" not in {p["name"] for p in contact_props}

    written = create_event(client, customProperties=[
        {"name": "zoomsync_webinar_id", "value": "81234567890"},
        {"name": "not_defined_here", "value": "dropped"}]).json()
    [prop] = written["customProperties"]
    assert set(prop) == PROPERTY_VALUE
    assert (prop["name"], prop["value"]) == ("zoomsync_webinar_id", "81234567890")
    [event] = client.state("hubspot")["hubspot"]["marketing_events"]
    assert event["customProperties"] == {"zoomsync_webinar_id": "81234567890"}

    bad = create_event(client, customProperties=[{"name": "zoomsync_webinar_id", "value": 5}])
    assert bad.status_code == 400


def test_breakdown_lists_one_participation_per_contact_and_state(client):
    create_event(client)
    record(client, "register", attend_input("ann@example.com", properties={}),
           attend_input("bob@example.com", properties={}),
           attend_input("cy@example.com", properties={}))
    record(client, "attend", attend_input("ann@example.com"))
    record(client, "attend", attend_input("ann@example.com"))  # a duplicate record
    record(client, "cancel", attend_input("cy@example.com", properties={}))

    body = client.hubspot("GET", BREAKDOWN, params={"limit": 100}).json()
    assert body["total"] == 5 and "paging" not in body
    seen = {(r["associations"]["contact"]["email"], r["properties"]["attendanceState"])
            for r in body["results"]}
    assert seen == {("ann@example.com", "REGISTERED"), ("bob@example.com", "REGISTERED"),
                    ("cy@example.com", "REGISTERED"), ("ann@example.com", "ATTENDED"),
                    ("cy@example.com", "CANCELLED")}
    first = body["results"][0]
    assert set(first) == PARTICIPATION
    assert first["associations"]["marketingEvent"]["externalEventId"] == "zoom-webinar-1"
    assert first["properties"]["occurredAt"] == 1_893_510_000_000
    # no figures until the event is completed
    assert "attendanceDurationSeconds" not in str(body)

    only = client.hubspot("GET", BREAKDOWN, params={"state": "ATTENDED"}).json()
    assert [r["associations"]["contact"]["email"] for r in only["results"]] == [
        "ann@example.com"]
    ann_id = only["results"][0]["associations"]["contact"]["contactId"]
    by_id = client.hubspot("GET", BREAKDOWN, params={"contactIdentifier": ann_id}).json()
    by_email = client.hubspot("GET", BREAKDOWN,
                              params={"contactIdentifier": "ANN@example.com"}).json()
    assert by_id["total"] == by_email["total"] == 2


def test_breakdown_pages_with_after(client):
    create_event(client)
    record(client, "register", *[attend_input(f"p{i}@example.com", properties={})
                                 for i in range(25)])
    emails, query = [], {"limit": 10}
    while True:
        body = client.hubspot("GET", BREAKDOWN, params=query).json()
        assert body["total"] == 25 and len(body["results"]) <= 10
        emails += [r["associations"]["contact"]["email"] for r in body["results"]]
        if "paging" not in body:
            break
        query["after"] = body["paging"]["next"]["after"]
    assert emails == [f"p{i}@example.com" for i in range(25)]
    assert client.calls()["by_endpoint"][
        "hubspot GET /marketing/v3/marketing-events/participations/{externalAccountId}/"
        "{externalEventId}/breakdown"] == 3


def test_completing_works_out_durations_percentages_and_no_shows(client):
    create_event(client)  # 15:00 to 16:00
    record(client, "register", attend_input("ann@example.com", properties={}),
           attend_input("bob@example.com", properties={}))
    record(client, "attend", attend_input("ann@example.com", properties={
        "joinedAt": "2030-01-01T15:00:00Z", "leftAt": "2030-01-01T15:45:00Z"}))
    record(client, "attend", attend_input("zed@example.com", properties={
        "joinedAt": "1893510000000", "leftAt": "1893511200000"}))  # epoch ms: 20 minutes
    client.hubspot("POST", f"{ME}/events/zoom-webinar-1/complete", params=params(),
                   json={"startDateTime": "2030-01-01T15:00:00Z",
                         "endDateTime": "2030-01-01T16:00:00Z"})
    body = client.hubspot("GET", BREAKDOWN, params={"limit": 100}).json()
    got = {(r["associations"]["contact"]["email"], r["properties"]["attendanceState"]):
           r["properties"] for r in body["results"]}
    ann = got[("ann@example.com", "ATTENDED")]
    assert ann["attendanceDurationSeconds"] == 2700 and ann["attendancePercentage"] == "75.00"
    assert got[("zed@example.com", "ATTENDED")]["attendanceDurationSeconds"] == 1200
    assert ("bob@example.com", "NO_SHOW") in got and ("ann@example.com", "NO_SHOW") not in got

    # a record sent again counts again, once the event is completed again
    record(client, "attend", attend_input("ann@example.com", properties={
        "joinedAt": "2030-01-01T15:00:00Z", "leftAt": "2030-01-01T15:45:00Z"}))
    client.hubspot("POST", f"{ME}/events/zoom-webinar-1/complete", params=params(),
                   json={"startDateTime": "2030-01-01T15:00:00Z",
                         "endDateTime": "2030-01-01T16:00:00Z"})
    again = client.hubspot("GET", BREAKDOWN, params={"state": "ATTENDED",
                                                     "contactIdentifier": "ann@example.com"})
    assert again.json()["results"][0]["properties"]["attendancePercentage"] == "150.00"


def test_breakdown_refuses_what_hubspot_refuses(client):
    create_event(client)
    assert client.hubspot("GET", BREAKDOWN, params={"state": "MAYBE"}).status_code == 400
    assert client.hubspot("GET", BREAKDOWN, params={"limit": 101}).status_code == 400
    missing = client.hubspot("GET", f"{ME}/participations/{ACCOUNT}/zoom-webinar-9/breakdown")
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"
