"""The sandbox's HubSpot side over real HTTP: properties, contacts, marketing events."""

import uuid

ME = "/marketing/v3/marketing-events"
ACCOUNT = "sandbox-zoom-account"


def contacts_by_email(client) -> dict:
    return {c["properties"]["email"]: c for c in client.state("hubspot")["hubspot"]["contacts"]}


def create_event(client, external_id="zoom-webinar-1", **extra):
    body = {"externalAccountId": ACCOUNT, "externalEventId": external_id,
            "eventName": "Pipeline Masterclass", "eventOrganizer": "Maya Chen",
            "eventType": "WEBINAR", "startDateTime": "2030-01-01T15:00:00Z",
            "endDateTime": "2030-01-01T16:00:00Z", "eventUrl": "http://zoom/w/1",
            "customProperties": [], **extra}
    return client.hubspot("PUT", f"{ME}/events/{external_id}", json=body)


def attend_input(email="ann@example.com", **over):
    item = {"email": email, "interactionDateTime": 1_893_510_000_000,
            "properties": {"joinedAt": "2030-01-01T15:00:00Z",
                           "leftAt": "2030-01-01T15:40:00Z"},
            "contactProperties": {"firstname": "Ann"}}
    item.update(over)
    return item


# -------------------------------------------------------------------------------- auth


def test_requests_without_the_private_app_token_are_refused(client):
    for headers in ({}, {"Authorization": "Bearer pat-na1-wrong"}):
        response = client.http.get(f"{client.url}/hubspot/crm/v3/properties/contacts",
                                   headers=headers, timeout=10)
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
        uuid.UUID(body["correlationId"])


def test_unknown_hubspot_route_answers_in_hubspot_shape(client):
    response = client.hubspot("GET", "/crm/v3/objects/widgets")
    assert response.status_code == 404
    assert set(response.json()) == {"status", "message", "correlationId", "category"}


# -------------------------------------------------------------------------------- properties


def test_property_groups(client):
    names = [g["name"] for g in client.hubspot(
        "GET", "/crm/v3/properties/contacts/groups").json()["results"]]
    assert names == ["contactinformation"]
    response = client.hubspot("POST", "/crm/v3/properties/contacts/groups",
                              json={"name": "zoomsync", "label": "Zoom sync"})
    assert response.status_code == 201
    assert response.json() == {"name": "zoomsync", "label": "Zoom sync", "displayOrder": -1,
                               "archived": False}
    again = client.hubspot("POST", "/crm/v3/properties/contacts/groups",
                           json={"name": "zoomsync", "label": "Zoom sync"})
    assert again.status_code == 409 and again.json()["category"] == "CONFLICT"
    assert client.state("hubspot")["hubspot"]["property_groups"] == [
        "contactinformation", "zoomsync"]


def test_contact_properties(client):
    listed = client.hubspot("GET", "/crm/v3/properties/contacts").json()["results"]
    names = {p["name"] for p in listed}
    assert {"email", "firstname", "lastname", "phone", "company", "jobtitle", "address", "city",
            "state", "zip", "country", "industry", "numemployees", "message", "hs_object_id",
            "createdate", "lastmodifieddate", "lifecyclestage"} <= names
    email = next(p for p in listed if p["name"] == "email")
    for key in ("label", "type", "fieldType", "groupName", "description", "options", "hidden",
                "formField"):
        assert key in email

    client.hubspot("POST", "/crm/v3/properties/contacts/groups",
                   json={"name": "zoomsync", "label": "Zoom sync"})
    prop = {"name": "zoomsync_source", "label": "Source", "type": "string",
            "fieldType": "text", "groupName": "zoomsync"}
    response = client.hubspot("POST", "/crm/v3/properties/contacts", json=prop)
    assert response.status_code == 201 and response.json()["name"] == "zoomsync_source"
    assert client.hubspot("POST", "/crm/v3/properties/contacts", json=prop).status_code == 409

    missing = client.hubspot("POST", "/crm/v3/properties/contacts",
                             json={"name": "zoomsync_x", "label": "X", "type": "string"})
    assert missing.status_code == 400 and missing.json()["category"] == "VALIDATION_ERROR"
    no_group = client.hubspot("POST", "/crm/v3/properties/contacts",
                              json={**prop, "name": "zoomsync_y", "groupName": "nope"})
    assert no_group.status_code == 400

    batch = [{"name": "zoomsync_webinars_attended", "label": "Attended", "type": "number",
              "fieldType": "number", "groupName": "zoomsync"},
             {"name": "zoomsync_last_join_url", "label": "Join URL", "type": "string",
              "fieldType": "text", "groupName": "zoomsync"}]
    response = client.hubspot("POST", "/crm/v3/properties/contacts/batch/create",
                              json={"inputs": batch})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "COMPLETE" and len(body["results"]) == 2
    assert body["startedAt"] and body["completedAt"]

    # one that exists: 409, and the new one in the same batch is not created
    response = client.hubspot("POST", "/crm/v3/properties/contacts/batch/create", json={
        "inputs": [{**prop, "name": "zoomsync_new"}, prop]})
    assert response.status_code == 409
    assert client.state("hubspot")["hubspot"]["properties"] == [
        "zoomsync_source", "zoomsync_webinars_attended", "zoomsync_last_join_url"]


# -------------------------------------------------------------------------------- contacts


def test_batch_read_by_email_with_missing_contacts_is_207(client):
    client.seed("demo")
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "idProperty": "email", "properties": ["firstname", "lastname", "city"],
        "inputs": [{"id": "JORDAN.BLAKE@northwind.example"}, {"id": "ghost@nowhere.example"}]})
    assert response.status_code == 207
    body = response.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1
    [found] = body["results"]
    assert isinstance(found["id"], str) and found["archived"] is False
    props = found["properties"]
    assert props["firstname"] == "Jordy" and props["lastname"] == "Blake-Whitman"
    assert props["city"] is None  # requested but unset
    assert props["hs_object_id"] == found["id"] and props["createdate"]
    assert props["lastmodifieddate"]
    [error] = body["errors"]
    assert error["status"] == "error" and error["category"] == "OBJECT_NOT_FOUND"
    assert error["context"] == {"ids": ["ghost@nowhere.example"]}
    assert error["message"].startswith("Could not get some CONTACT objects")

    ok = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "idProperty": "email", "properties": ["firstname"],
        "inputs": [{"id": "priya.natarajan@globex.example"}]})
    assert ok.status_code == 200 and "errors" not in ok.json()
    by_id = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "properties": ["email"], "inputs": [{"id": found["id"]}]})
    assert by_id.json()["results"][0]["properties"]["email"] == "jordan.blake@northwind.example"

    too_many = client.hubspot("POST", "/crm/v3/objects/contacts/batch/read", json={
        "idProperty": "email", "inputs": [{"id": f"p{i}@x.example"} for i in range(101)]})
    assert too_many.status_code == 400


def test_upsert_creates_then_updates_and_empty_string_clears(client):
    inputs = [{"id": "Ann@Example.com", "idProperty": "email",
               "properties": {"firstname": "Ann", "city": "Oslo"}},
              {"id": "bob@example.com", "idProperty": "email",
               "properties": {"firstname": "Bob"}}]
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert",
                              json={"inputs": inputs})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "COMPLETE" and body["startedAt"] and body["completedAt"]
    ann, bob = body["results"]
    assert ann["new"] is True and bob["new"] is True
    assert int(bob["id"]) == int(ann["id"]) + 1 and isinstance(ann["id"], str)
    assert ann["properties"]["email"] == "ann@example.com"
    assert ann["archived"] is False and ann["createdAt"] and ann["updatedAt"]

    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": "ann@example.com", "idProperty": "email",
                    "properties": {"city": "", "lastname": "Ames"}}]})
    [again] = response.json()["results"]
    assert again["new"] is False and again["id"] == ann["id"]
    stored = contacts_by_email(client)["ann@example.com"]["properties"]
    assert stored["lastname"] == "Ames" and stored["firstname"] == "Ann"
    assert "city" not in stored

    dupes = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [inputs[0], {**inputs[0], "id": "ann@example.com"}]})
    assert dupes.status_code == 400
    bad_option = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": "c@example.com", "idProperty": "email",
                    "properties": {"numemployees": "1-20"}}]})
    assert bad_option.status_code == 400 and "INVALID_OPTION" in bad_option.json()["message"]


MALFORMED = ["foo@", "@bar.com", "a@b@c", "spaces in@x.com", "no-at-sign"]


def test_a_malformed_email_refuses_the_whole_batch(client):
    create_event(client)
    url = f"{ME}/attendance/zoom-webinar-1/register/email-create"
    for email in MALFORMED:
        upsert = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
            "inputs": [{"id": "ok@example.com", "idProperty": "email", "properties": {}},
                       {"id": email, "idProperty": "email", "properties": {}}]})
        assert upsert.status_code == 400, email
        assert upsert.json()["category"] == "VALIDATION_ERROR"
        record = client.hubspot("POST", url, params={"externalAccountId": ACCOUNT},
                                json={"inputs": [attend_input("ok@example.com",
                                                              properties={}),
                                                 attend_input(email, properties={})]})
        assert record.status_code == 400, email
    assert contacts_by_email(client) == {}
    [event] = client.state("hubspot")["hubspot"]["marketing_events"]
    assert event["attendance"] == []
    quoted = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": '"a@b"@example.com', "idProperty": "email", "properties": {}}]})
    assert quoted.status_code == 200


def test_upsert_over_100_inputs_is_refused(client):
    inputs = [{"id": f"p{i}@example.com", "idProperty": "email", "properties": {}}
              for i in range(101)]
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert",
                              json={"inputs": inputs})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert contacts_by_email(client) == {}
    assert client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert",
                          json={"inputs": inputs[:100]}).status_code == 200


def test_upsert_with_an_unknown_property_applies_nothing(client):
    client.seed("demo")
    before = client.state("hubspot")
    response = client.hubspot("POST", "/crm/v3/objects/contacts/batch/upsert", json={
        "inputs": [{"id": "new@example.com", "idProperty": "email",
                    "properties": {"firstname": "New"}},
                   {"id": "jordan.blake@northwind.example", "idProperty": "email",
                    "properties": {"firstname": "J", "zoomsync_nope": "1"}}]})
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert "PROPERTY_DOESNT_EXIST" in body["message"] and "zoomsync_nope" in body["message"]
    assert client.state("hubspot") == before


# -------------------------------------------------------------------------------- marketing events


def test_marketing_event_create_read_upsert_complete(client):
    response = create_event(client)
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["objectId"] and event["id"] == event["objectId"]
    assert event["eventName"] == "Pipeline Masterclass" and event["eventCompleted"] is False

    got = client.hubspot("GET", f"{ME}/events/zoom-webinar-1",
                         params={"externalAccountId": ACCOUNT})
    assert got.status_code == 200 and got.json()["objectId"] == event["objectId"]
    assert client.hubspot("GET", f"{ME}/events/zoom-webinar-1",
                          params={"externalAccountId": "other"}).status_code == 404
    assert client.hubspot("GET", f"{ME}/events/nope",
                          params={"externalAccountId": ACCOUNT}).json()[
        "category"] == "OBJECT_NOT_FOUND"

    renamed = create_event(client, eventName="Renamed").json()
    assert renamed["objectId"] == event["objectId"] and renamed["eventName"] == "Renamed"

    missing = client.hubspot("PUT", f"{ME}/events/zoom-webinar-2",
                             json={"externalAccountId": ACCOUNT, "eventName": "X"})
    assert missing.status_code == 400

    batch = client.hubspot("POST", f"{ME}/events/upsert", json={"inputs": [
        {"externalAccountId": ACCOUNT, "externalEventId": "zoom-webinar-1",
         "eventName": "Again", "eventOrganizer": "Maya"},
        {"externalAccountId": ACCOUNT, "externalEventId": "zoom-webinar-2",
         "eventName": "Second", "eventOrganizer": "Maya"}]})
    assert batch.status_code == 200
    assert [e["eventName"] for e in batch.json()["results"]] == ["Again", "Second"]

    done = client.hubspot("POST", f"{ME}/events/zoom-webinar-1/complete",
                          params={"externalAccountId": ACCOUNT},
                          json={"startDateTime": "2030-01-01T15:01:00Z",
                                "endDateTime": "2030-01-01T16:02:00Z"})
    assert done.status_code == 200 and done.json()["eventCompleted"] is True
    [ev1, ev2] = client.state("hubspot")["hubspot"]["marketing_events"]
    assert ev1["eventCompleted"] is True and ev1["endDateTime"] == "2030-01-01T16:02:00.000Z"
    assert ev2["eventCompleted"] is False


def test_attendance_validation_applies_nothing_on_error(client):
    create_event(client)
    url = f"{ME}/attendance/zoom-webinar-1/attend/email-create"
    params = {"externalAccountId": ACCOUNT}
    for key in ("email", "interactionDateTime", "properties", "contactProperties"):
        item = attend_input()
        del item[key]
        response = client.hubspot("POST", url, params=params,
                                  json={"inputs": [attend_input("ok@example.com"), item]})
        assert response.status_code == 400, key
        assert response.json()["category"] == "VALIDATION_ERROR"
    not_string = attend_input(properties={"joinedAt": 1_893_510_000_000})
    assert client.hubspot("POST", url, params=params,
                          json={"inputs": [not_string]}).status_code == 400
    not_string = attend_input(contactProperties={"zoomsync_x": 3})
    assert client.hubspot("POST", url, params=params,
                          json={"inputs": [not_string]}).status_code == 400
    bad_state = client.hubspot("POST", f"{ME}/attendance/zoom-webinar-1/noshow/email-create",
                               params=params, json={"inputs": [attend_input()]})
    assert bad_state.status_code == 400
    no_event = client.hubspot("POST", f"{ME}/attendance/zoom-webinar-9/attend/email-create",
                              params=params, json={"inputs": [attend_input()]})
    assert no_event.status_code == 404 and no_event.json()["category"] == "OBJECT_NOT_FOUND"
    too_many = client.hubspot("POST", url, params=params, json={
        "inputs": [attend_input(f"p{i}@example.com") for i in range(101)]})
    assert too_many.status_code == 400

    hubspot = client.state("hubspot")["hubspot"]
    assert hubspot["contacts"] == []
    assert hubspot["marketing_events"][0]["attendance"] == []


def test_attendance_appends_records_and_creates_missing_contacts(client):
    client.seed("demo")
    create_event(client)
    url = f"{ME}/attendance/zoom-webinar-1/attend/email-create"
    params = {"externalAccountId": ACCOUNT}
    body = {"inputs": [attend_input("Ann@Example.com"),
                       attend_input("jordan.blake@northwind.example",
                                    contactProperties={"firstname": "Jordan"})]}
    response = client.hubspot("POST", url, params=params, json=body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["email"] for r in results] == ["ann@example.com",
                                             "jordan.blake@northwind.example"]
    assert all(isinstance(r["vid"], int) for r in results)

    contacts = contacts_by_email(client)
    assert contacts["ann@example.com"]["properties"]["firstname"] == "Ann"
    # contactProperties only apply when the contact is created
    assert contacts["jordan.blake@northwind.example"]["properties"]["firstname"] == "Jordy"

    # the same write again is appended again (so duplicate writes are visible)
    client.hubspot("POST", url, params=params, json={"inputs": [attend_input("ann@example.com")]})
    register = f"{ME}/attendance/zoom-webinar-1/register/email-create"
    client.hubspot("POST", register, params=params, json={"inputs": [
        attend_input("ann@example.com", properties={})]})
    [event] = client.state("hubspot")["hubspot"]["marketing_events"]
    records = [(a["email"], a["state"]) for a in event["attendance"]]
    assert records == [("ann@example.com", "attend"), ("jordan.blake@northwind.example", "attend"),
                       ("ann@example.com", "attend"), ("ann@example.com", "register")]
    first = event["attendance"][0]
    assert first["joinedAt"] == "2030-01-01T15:00:00Z"
    assert first["leftAt"] == "2030-01-01T15:40:00Z"
    assert first["interactionDateTime"] == 1_893_510_000_000
    assert event["attendance"][3]["joinedAt"] is None
