"""Edges of a webinar's timeline entries: zero and one-second attendance, registrations at or
after the end, no-shows of other webinars, sessions with no fixed time, and rebuilding a
webinar's timeline from the mirror."""

from datetime import UTC, datetime, timedelta

import pytest

from contacts.models import Activity, Contact
from tests.scenarios import iso, past_webinar, sync_one, upcoming_webinar, world
from webinars.models import Registrant, Webinar, WebinarInstance
from webinars.services.timeline import webinar_timeline_refresh

pytestmark = pytest.mark.django_db

Kind = Activity.Kind


def person(name: str, **extra) -> dict:
    return {"email": f"{name}@customer.example", "first_name": name.title(),
            "status": "approved", **extra}


def kinds(name: str) -> list[str]:
    return sorted(Activity.objects.filter(contact__email=f"{name}@customer.example")
                  .values_list("kind", flat=True))


def test_zero_seconds_is_not_attending_and_one_second_is(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person("zed"), person("one"), person("alice")],
        participants=[("zed@customer.example", 5, 5), ("one@customer.example", 0, 1 / 60),
                      ("alice@customer.example", 0, 30)])))
    sync_one(account, 81234567890)
    assert kinds("zed") == [Kind.WEBINAR_NO_SHOW, Kind.WEBINAR_REGISTERED]
    assert kinds("one") == [Kind.WEBINAR_ATTENDED, Kind.WEBINAR_REGISTERED]
    assert kinds("alice") == [Kind.WEBINAR_ATTENDED, Kind.WEBINAR_REGISTERED]
    contacts = sandbox.hubspot_contacts()
    assert [contacts[f"{n}@customer.example"]["zoomsync_webinars_attended"]
            for n in ("zed", "one", "alice")] == ["0", "1", "1"]


def test_registrations_at_and_after_the_end(sandbox, linked):
    account, _ = linked
    data = past_webinar()
    end = datetime.fromisoformat(data["instances"][0]["end_time"].replace("Z", "+00:00"))
    data["registrants"] = [
        person("late", create_time=iso(end + timedelta(hours=1))),  # and yet attended
        person("edge", create_time=iso(end)),  # registered the second it ended
        person("after", create_time=iso(end + timedelta(hours=1))),  # too late
    ]
    data["instances"][0]["participants"] = [
        {"registrant_email": "late@customer.example", "user_email": "late@customer.example",
         "join_time": data["start_time"], "leave_time": iso(end)}]
    sandbox.seed("custom", **world(data))
    sync_one(account, 81234567890)
    assert kinds("late") == [Kind.WEBINAR_ATTENDED, Kind.WEBINAR_REGISTERED]
    assert kinds("edge") == [Kind.WEBINAR_NO_SHOW, Kind.WEBINAR_REGISTERED]
    # too late for the session: it still counts as a registration (SPEC §5.2), filed apart
    # from the session's event, so HubSpot gets no 'register' record for it
    assert kinds("after") == [Kind.WEBINAR_REGISTERED]
    assert Activity.objects.get(contact__email="after@customer.example").source_key == (
        "zoom-webinar-81234567890-registration")
    event = sandbox.marketing_events()["zoom-webinar-81234567890"]
    assert "after@customer.example" not in {a["email"] for a in event["attendance"]}


def test_another_webinars_sync_leaves_a_no_show_alone(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[person("bob")]),
                                   upcoming_webinar(registrants=[person("bob")])))
    sync_one(account, 81234567890)
    sync_one(account, 89876543210)
    sync_one(account, 81234567890)
    assert kinds("bob") == [Kind.WEBINAR_NO_SHOW, Kind.WEBINAR_REGISTERED,
                            Kind.WEBINAR_REGISTERED]


def test_a_webinars_timeline_can_be_rebuilt_from_the_mirror(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[person("alice"), person("bob")],
        participants=[("alice@customer.example", 0, 30)])))
    webinar, _ = sync_one(account, 81234567890)

    def entries():
        return sorted(Activity.objects.values_list("contact__email", "kind", "title",
                                                   "occurred_at", "details"))

    before = entries()
    assert len(before) == 4
    Activity.objects.all().delete()
    webinar_timeline_refresh(webinar=webinar)  # every instance, everyone linked to it
    assert entries() == before


def test_a_session_with_no_fixed_time_still_gets_its_registrations(db):
    from integrations.models import ZoomAccount

    account = ZoomAccount.objects.create(name="Zoom", zoom_account_id="acc", client_id="c")
    webinar = Webinar.objects.create(zoom_account=account, zoom_id="86666666666", type=6,
                                     topic="Office hours")
    instance = WebinarInstance.objects.create(webinar=webinar, occurrence_id="1")
    registered = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    dated = Contact.objects.create(email="dated@customer.example")
    undated = Contact.objects.create(email="undated@customer.example")
    Registrant.objects.create(webinar=webinar, zoom_registrant_id="r1", email=dated.email,
                              status="approved", registered_at=registered, contact=dated)
    Registrant.objects.create(webinar=webinar, zoom_registrant_id="r2", email=undated.email,
                              status="approved", contact=undated)
    webinar_timeline_refresh(webinar=webinar)
    [entry] = Activity.objects.all()  # no time at all for the undated one: nothing to show
    assert (entry.contact, entry.kind, entry.title, entry.occurred_at) == (
        dated, Kind.WEBINAR_REGISTERED, "Office hours", registered)
    assert entry.source_key == instance.external_event_id
    assert entry.details["start"] is None
    assert entry.details["registered_at"] == registered.isoformat()
