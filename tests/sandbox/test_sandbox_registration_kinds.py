"""The sandbox's Zoom registrations as real accounts have them: per-session registration on a
recurring webinar, webinars that take no registration, and panelists."""

import pytest

WEBINAR = 85550001111
NOV_10, NOV_17, NOV_24 = "1794322800000", "1794927600000", "1795532400000"


def recurring(*, registration_type: int, approval_type: int = 0, panelists=()) -> dict:
    return {
        "users": [{"id": "host-user-1", "email": "host@acme.example", "first_name": "Hana"}],
        "webinars": [{
            "id": WEBINAR, "topic": "Weekly Platform Demo", "type": 9,
            "start_time": "2026-11-10T17:00:00Z", "duration": 30, "host_id": "host-user-1",
            "settings": {"registration_type": registration_type,
                         "approval_type": approval_type},
            "occurrences": [{"occurrence_id": o, "start_time": start} for o, start in (
                (NOV_10, "2026-11-10T17:00:00Z"), (NOV_17, "2026-11-17T17:00:00Z"),
                (NOV_24, "2026-11-24T17:00:00Z"))],
            "panelists": list(panelists),
            "registrants": [] if approval_type == 2 else [
                {"email": "every@customer.example", "first_name": "Eve"},
                {"email": "only17@customer.example", "first_name": "Otto",
                 "occurrence_ids": [NOV_17]},
                {"email": "two@customer.example", "first_name": "Tess",
                 "occurrence_ids": [NOV_10, NOV_24]}],
        }],
    }


def listed(client, **params) -> list[str]:
    response = client.zoom("GET", f"/webinars/{WEBINAR}/registrants",
                           params={"page_size": 300, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_records"] == len(body["registrants"])
    return sorted(r["email"] for r in body["registrants"])


@pytest.mark.parametrize("registration_type", [2, 3])
def test_a_session_lists_only_the_people_who_registered_for_it(client, registration_type):
    client.seed("custom", **recurring(registration_type=registration_type))
    assert listed(client, occurrence_id=NOV_17) == ["every@customer.example",
                                                    "only17@customer.example"]
    assert listed(client, occurrence_id=NOV_24) == ["every@customer.example",
                                                    "two@customer.example"]
    # without an occurrence, everyone registered for any session
    assert len(listed(client)) == 3
    webinar = client.state("zoom")["zoom"]["webinars"][0]
    picked = {r["email"]: r["occurrence_ids"] for r in webinar["registrants"]}
    assert picked["only17@customer.example"] == [NOV_17]
    assert picked["every@customer.example"] is None


def test_register_once_attend_any_lists_everybody_for_every_session(client):
    client.seed("custom", **recurring(registration_type=1))
    assert len(listed(client, occurrence_id=NOV_17)) == 3
    assert len(listed(client, occurrence_id=NOV_10)) == 3


def test_a_webinar_without_registration_refuses_the_registrant_calls(client):
    client.seed("custom", **recurring(registration_type=1, approval_type=2))
    message = f"Registration has not been enabled for this webinar: {WEBINAR}."
    for path in ("/registrants", "/registrants?status=pending", "/registrants/questions",
                 "/registrants/someRegistrantId"):
        response = client.zoom("GET", f"/webinars/{WEBINAR}{path}")
        assert response.status_code == 400, path
        assert response.json() == {"code": 3000, "message": message}
    added = client.zoom("POST", f"/webinars/{WEBINAR}/registrants",
                        json={"email": "new@customer.example", "first_name": "New"})
    assert added.status_code == 400 and added.json()["code"] == 3000
    # the webinar itself says why
    details = client.zoom("GET", f"/webinars/{WEBINAR}").json()
    assert details["settings"]["approval_type"] == 2


def test_panelists_are_listed_and_cannot_register(client):
    client.seed("custom", **recurring(registration_type=1, panelists=[
        {"email": "Speaker@Guest.example", "name": "Sol Speaker"}]))
    body = client.zoom("GET", f"/webinars/{WEBINAR}/panelists").json()
    assert body["total_records"] == 1
    (panelist,) = body["panelists"]
    assert (panelist["email"], panelist["name"]) == ("Speaker@Guest.example", "Sol Speaker")
    assert set(panelist) == {"id", "email", "name", "join_url"}
    assert panelist["join_url"].startswith(f"{client.url}/zoom/w/{WEBINAR}?tk=")
    response = client.zoom("POST", f"/webinars/{WEBINAR}/registrants",
                           json={"email": "speaker@guest.example", "first_name": "Sol"})
    assert response.status_code == 400 and response.json()["code"] == 3000
    assert client.zoom("GET", "/webinars/81234567890/panelists").json()["code"] == 3001


def test_a_seeded_session_may_pick_only_the_webinars_own_occurrences(client):
    world = recurring(registration_type=3)
    world["webinars"][0]["registrants"][1]["occurrence_ids"] = ["12345"]
    response = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                                json={"scenario": "custom", **world})
    assert response.status_code == 400 and "12345" in response.text
