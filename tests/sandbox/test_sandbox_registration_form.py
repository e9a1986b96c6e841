"""A Zoom registration checked against the webinar's form (required standard fields, required
custom questions, choice answers), refused once the webinar is over or its registration
closed, and the registration e-mail settings a host changes."""

from datetime import UTC, datetime, timedelta

WEBINAR = 86660001111
OVER = {"code": 3038, "message": "Webinar is over, you cannot register now. If you have any "
                                 "questions, contact the webinar host."}
LEARN = "What would you like to learn?"
HEAR = "How did you hear about us?"
TOPICS = "Which topics interest you?"


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def world(*, start: datetime | None = None, duration: int = 60, settings=None,
          occurrences=None, type_: int = 5) -> dict:
    start = start or datetime.now(UTC) + timedelta(days=3)
    webinar = {
        "id": WEBINAR, "topic": "Form Rules", "type": type_, "start_time": iso(start),
        "duration": duration, "host_id": "host-1", "settings": settings or {},
        "questions": [{"field_name": "last_name", "required": False},
                      {"field_name": "org", "required": True},
                      {"field_name": "city", "required": False}],
        "custom_questions": [
            {"title": LEARN, "type": "short", "required": True},
            {"title": HEAR, "type": "single_dropdown", "required": False,
             "answers": ["Newsletter", "LinkedIn"]},
            {"title": TOPICS, "type": "multiple", "required": False,
             "answers": ["CRM", "Email", "Ads"]}],
    }
    if occurrences is not None:
        webinar["occurrences"] = occurrences
    return {"users": [{"id": "host-1", "email": "host@acme.example"}], "webinars": [webinar]}


def register(client, **body):
    """A registration; a field given as None is left out (Zoom's schema has no null)."""
    data = {"email": "ann@customer.example", "first_name": "Ann", "org": "Acme",
            "custom_questions": [{"title": LEARN, "value": "Scoring"}]}
    data.update(body)
    data = {key: value for key, value in data.items() if value is not None}
    return client.zoom("POST", f"/webinars/{WEBINAR}/registrants", json=data)


def errors(response) -> list[dict]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["message"]) == (300, "Validation Failed.")
    return body["errors"]


def test_a_complete_registration_is_taken_and_the_form_is_as_seeded(client):
    client.seed("custom", **world())
    assert register(client).status_code == 201
    form = client.zoom("GET", f"/webinars/{WEBINAR}/registrants/questions").json()
    assert form["questions"] == [{"field_name": "last_name", "required": False},
                                 {"field_name": "org", "required": True},
                                 {"field_name": "city", "required": False}]
    assert form["custom_questions"][0] == {"title": LEARN, "type": "short", "required": True,
                                           "answers": []}
    # the sandbox's form is not one of the webinar's settings
    settings = client.zoom("GET", f"/webinars/{WEBINAR}").json()["settings"]
    assert not any(k.startswith("_") for k in settings)


def test_a_required_standard_field_missing_or_blank_is_refused(client):
    client.seed("custom", **world())
    missing = register(client, org=None)
    assert [e["field"] for e in errors(missing)] == ["org"]
    assert [e["field"] for e in errors(register(client, org="  "))] == ["org"]
    # nothing was registered, and the refusals did not count against the daily three
    assert client.state("zoom")["zoom"]["webinars"][0]["registrants"] == []
    for _ in range(3):
        assert register(client).status_code == 201


def test_the_default_form_requires_nothing_but_email_and_first_name(client):
    data = world()
    del data["webinars"][0]["questions"]
    data["webinars"][0]["custom_questions"] = []
    client.seed("custom", **data)
    form = client.zoom("GET", f"/webinars/{WEBINAR}/registrants/questions").json()
    assert not any(q["required"] for q in form["questions"])
    response = client.zoom("POST", f"/webinars/{WEBINAR}/registrants",
                           json={"email": "bo@customer.example", "first_name": "Bo"})
    assert response.status_code == 201, response.text


def test_a_required_custom_question_must_be_answered(client):
    client.seed("custom", **world())
    for answers in ([], [{"title": LEARN, "value": ""}], [{"title": "Other", "value": "x"}]):
        (error,) = errors(register(client, custom_questions=answers))
        assert error["field"] == "custom_questions" and LEARN in error["message"]


def test_a_choice_answer_must_be_one_of_the_choices(client):
    client.seed("custom", **world())
    bad = register(client, custom_questions=[{"title": LEARN, "value": "x"},
                                             {"title": HEAR, "value": "Billboard"}])
    (error,) = errors(bad)
    assert error["field"] == "custom_questions" and HEAR in error["message"]
    bad_part = register(client, custom_questions=[{"title": LEARN, "value": "x"},
                                                  {"title": TOPICS, "value": "CRM,Fax"}])
    assert TOPICS in errors(bad_part)[0]["message"]
    good = register(client, custom_questions=[{"title": LEARN, "value": "x"},
                                              {"title": HEAR, "value": "LinkedIn"},
                                              {"title": TOPICS, "value": "CRM, Ads"}])
    assert good.status_code == 201, good.text
    registrant = client.zoom("GET", f"/webinars/{WEBINAR}/registrants/"
                                    f"{good.json()['registrant_id']}").json()
    assert {q["title"]: q["value"] for q in registrant["custom_questions"]}[TOPICS] == "CRM, Ads"


def test_every_error_of_a_registration_is_listed(client):
    client.seed("custom", **world())
    response = register(client, org="", custom_questions=[])
    assert [e["field"] for e in errors(response)] == ["org", "custom_questions"]


def test_a_webinar_that_is_over_takes_no_registration(client):
    now = datetime.now(UTC)
    client.seed("custom", **world(start=now - timedelta(hours=2), duration=60))
    response = register(client)
    assert (response.status_code, response.json()) == (400, OVER)
    # still running: it takes registrations
    client.seed("custom", **world(start=now - timedelta(minutes=30), duration=60))
    assert register(client).status_code == 201
    # the sandbox's clock decides: once it passes the end, the webinar is over
    client.advance(3600)
    client._zoom_token = None  # the hour-long token expired meanwhile
    response = register(client, email="late@customer.example")
    assert (response.status_code, response.json()) == (400, OVER)


def test_a_recurring_webinar_is_over_after_its_last_session(client):
    now = datetime.now(UTC)
    first, last = now - timedelta(days=7), now + timedelta(days=1)
    occurrences = [{"occurrence_id": "1", "start_time": iso(first)},
                   {"occurrence_id": "2", "start_time": iso(last)}]
    client.seed("custom", **world(start=first, type_=9, duration=60, occurrences=occurrences))
    assert register(client).status_code == 201
    client.advance(2 * 86400)
    client._zoom_token = None
    response = register(client, email="late@customer.example")
    assert (response.status_code, response.json()) == (400, OVER)


def test_closed_registration_ends_when_the_webinar_starts(client):
    now = datetime.now(UTC)
    client.seed("custom", **world(start=now + timedelta(minutes=10),
                                  settings={"close_registration": True}))
    assert register(client).status_code == 201
    client.advance(11 * 60)  # started, not over
    response = register(client, email="late@customer.example")
    assert (response.status_code, response.json()) == (400, OVER)
    # without close_registration, a started webinar still takes registrations
    patched = client.zoom("PATCH", f"/webinars/{WEBINAR}",
                          json={"settings": {"close_registration": False}})
    assert patched.status_code == 204
    assert register(client, email="late@customer.example").status_code == 201


def test_registration_email_settings_round_trip(client):
    client.seed("custom", **world())
    settings = client.zoom("GET", f"/webinars/{WEBINAR}").json()["settings"]
    assert settings["registrants_email_notification"] is True
    assert settings["registrants_confirmation_email"] is True
    patched = client.zoom("PATCH", f"/webinars/{WEBINAR}", json={"settings": {
        "registrants_email_notification": False, "registrants_confirmation_email": False}})
    assert patched.status_code == 204, patched.text
    settings = client.zoom("GET", f"/webinars/{WEBINAR}").json()["settings"]
    assert settings["registrants_email_notification"] is False
    assert settings["registrants_confirmation_email"] is False
    bad = client.zoom("PATCH", f"/webinars/{WEBINAR}", record=False,
                      json={"settings": {"registrants_confirmation_email": "no"}})
    assert errors(bad) == [{"field": "settings.registrants_confirmation_email",
                            "message": "Invalid field."}]


def test_seeded_settings_and_forms_are_checked(client):
    data = world(settings={"approval_type": 1, "registrants_confirmation_email": False})
    client.seed("custom", **data)
    settings = client.zoom("GET", f"/webinars/{WEBINAR}").json()["settings"]
    assert (settings["approval_type"], settings["registrants_confirmation_email"]) == (1, False)
    data["webinars"][0]["custom_questions"][0]["type"] = "essay"
    response = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                                json={"scenario": "custom", **data})
    assert response.status_code == 400 and "essay" in response.text
    data = world()
    data["webinars"][0]["questions"] = [{"field_name": "shoe_size", "required": True}]
    response = client.http.post(f"{client.url}/_sandbox/seed", timeout=10,
                                json={"scenario": "custom", **data})
    assert response.status_code == 400 and "field_name" in response.text


def test_the_demo_sign_up_webinar_requires_org_and_an_answer(client):
    client.seed("demo")
    path = "/webinars/81234567008/registrants"
    base = {"email": "new@customer.example", "first_name": "Nia"}
    refused = client.zoom("POST", path, json=base)
    assert [e["field"] for e in errors(refused)] == ["org", "custom_questions"]
    taken = client.zoom("POST", path, json={**base, "org": "Acme", "custom_questions": [
        {"title": LEARN, "value": "Everything"}]})
    assert taken.status_code == 201, taken.text
