"""Attendance reaches HubSpot exactly once, whatever happens to HubSpot's answers.

HubSpot appends attendance records, so a record sent again is recorded again. These tests lose
answers on purpose (the sandbox applies a request, then drops the connection) and check that
every person's registration, attendance and cancellation is recorded once, that a run which
could not learn an outcome leaves the next run able to finish, and that syncing twice repeats
nothing.
"""

import pytest

from contacts.models import Activity, Contact
from integrations.models import SyncRun
from tests.hubspot_state import (
    BREAKDOWN,
    COMPLETE,
    RECORD,
    attendance_records,
    end_state,
    repeated_records,
    start_over,
)
from tests.integrations.test_clients import control
from tests.scenarios import past_webinar, recurring_webinar, sync_one, world
from webinars.models import Webinar
from webinars.services.sync import webinar_sync

pytestmark = pytest.mark.django_db

WEBINAR_ID = 85550001111
ATTENDANCE_WRITES = "/marketing/v3/marketing-events/attendance/"
BREAKDOWN_READS = "/marketing/v3/marketing-events/participations/"


def person(i: int) -> dict:
    return {"email": f"p{i:03d}@crowd.example", "first_name": f"P{i}", "last_name": "Crowd",
            "status": "approved"}


@pytest.fixture(autouse=True)
def batches_of_ten(settings):
    # HubSpot takes 100 inputs a call; batches of 10 show the same on a tenth of the people
    settings.HUBSPOT_BATCH_SIZE = 10


def crowd_world() -> dict:
    """A weekly webinar held twice (one more session to come) with 23 registrants: 15 came to
    the first session, 6 of them twice, and 12 to the second — three batches of
    registrations per session and two of attendances per held session."""
    first = ([(person(i)["email"], 0, 20) for i in range(15)]
             + [(person(i)["email"], 22, 28) for i in range(6)])
    second = [(person(i)["email"], 5, 25) for i in range(10, 22)]
    return world(recurring_webinar(registrants=[person(i) for i in range(23)],
                                   sessions=[("firstUUID==", first), ("secondUUID==", second)]))


def sync(webinar: Webinar) -> SyncRun:
    return webinar_sync(webinar=Webinar.objects.get(pk=webinar.pk), trigger="test")


def expected_records() -> int:
    """The timeline entries that are HubSpot records (registered, attended, cancelled)."""
    return Activity.objects.exclude(kind=Activity.Kind.WEBINAR_NO_SHOW).filter(
        source_key__startswith=f"zoom-webinar-{WEBINAR_ID}-").exclude(
        source_key__endswith="-registration").count()


def test_lost_answers_change_nothing_in_hubspots_end_state(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    sync_one(account, WEBINAR_ID)
    expected = end_state(sandbox)

    start_over(sandbox)
    sandbox.seed("custom", **crowd_world())
    control(sandbox, "faults", {"reset_after_apply_rate": 0.2, "seed": 7})
    webinar, _ = sync_one(account, WEBINAR_ID)

    calls = sandbox.calls()
    assert calls["faults"]["reset_after_apply"] > 0
    assert calls["by_endpoint"].get(BREAKDOWN, 0) > 0  # lost attendance answers were settled
    assert repeated_records(sandbox) == {}
    assert end_state(sandbox) == expected
    assert not Contact.objects.filter(created_by_sync=False).exists()
    assert not Activity.objects.filter(hubspot_sending_at__isnull=False).exists()


def test_every_attendance_answer_lost_still_records_each_once(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    control(sandbox, "faults", {"reset_after_apply_rate": 1, "paths": [ATTENDANCE_WRITES]})
    webinar, run = sync_one(account, WEBINAR_ID)

    calls = sandbox.hubspot_calls()
    # each batch went out once: HubSpot's records said it had arrived
    assert calls[RECORD] == 3 * 3 + 2 * 2
    assert calls[BREAKDOWN] >= calls[RECORD]
    records = attendance_records(sandbox)
    assert set(records.values()) == {1}
    assert sum(records.values()) == expected_records() == run.counts["attendance_recorded"]


def test_a_run_that_cannot_learn_the_outcome_leaves_it_to_the_next(sandbox, linked,
                                                                    admin_client):
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    # the first attendance batch arrives, but neither its answer nor HubSpot's records can be
    # read back: the run gives up
    control(sandbox, "faults", {"reset_after_apply_rate": 1,
                                "paths": [ATTENDANCE_WRITES, BREAKDOWN_READS]})
    from webinars.services.discovery import webinars_discover

    webinars_discover(account=account)
    webinar = Webinar.objects.get(zoom_id=str(WEBINAR_ID))
    failed = sync(webinar)
    assert failed.status == SyncRun.Status.FAILED
    assert sum(attendance_records(sandbox).values()) == 10  # one batch
    assert Activity.objects.filter(hubspot_sending_at__isnull=False).count() == 10
    contact = Contact.objects.get(email=person(0)["email"])
    page = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/").content.decode()
    assert "Sent; the next sync checks that HubSpot has it" in page

    control(sandbox, "faults", {})
    sandbox.reset_calls()
    run = sync(webinar)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    calls = sandbox.hubspot_calls()
    assert calls[RECORD] == 3 * 3 + 2 * 2 - 1  # the batch HubSpot had is not sent again
    assert calls[COMPLETE] == 2  # each held session, once
    records = attendance_records(sandbox)
    assert set(records.values()) == {1} and sum(records.values()) == expected_records()
    assert not Activity.objects.filter(hubspot_sending_at__isnull=False).exists()


def test_what_hubspot_never_got_is_sent_by_the_next_run(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    # the first attendance batch fails with a 5xx (HubSpot applied nothing), and HubSpot's
    # records cannot be read back to learn that: the run gives up with the batch "sending"
    control(sandbox, "faults", {"error_rate": 1, "paths": [ATTENDANCE_WRITES, BREAKDOWN_READS]})
    from webinars.services.discovery import webinars_discover

    webinars_discover(account=account)
    webinar = Webinar.objects.get(zoom_id=str(WEBINAR_ID))
    assert sync(webinar).status == SyncRun.Status.FAILED
    assert attendance_records(sandbox) == {}
    assert Activity.objects.filter(hubspot_sending_at__isnull=False).count() == 10

    control(sandbox, "faults", {})
    run = sync(webinar)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    records = attendance_records(sandbox)
    assert set(records.values()) == {1} and sum(records.values()) == expected_records()
    assert not Activity.objects.filter(hubspot_sending_at__isnull=False).exists()


def test_a_batch_hubspot_keeps_failing_is_tried_a_few_times_then_left(sandbox, linked,
                                                                       settings):
    settings.API_MAX_RETRIES = 2
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    # every attendance write fails with a 5xx: HubSpot applied nothing, which its records say
    control(sandbox, "faults", {"error_rate": 1, "paths": [ATTENDANCE_WRITES]})
    from webinars.services.discovery import webinars_discover

    webinars_discover(account=account)
    webinar = Webinar.objects.get(zoom_id=str(WEBINAR_ID))
    assert sync(webinar).status == SyncRun.Status.FAILED
    calls = sandbox.hubspot_calls()
    # the first batch, sent three times, each failure checked against HubSpot's records but
    # the last; no later batch went out
    assert (calls[RECORD], calls[BREAKDOWN]) == (3, 2)
    assert Activity.objects.filter(hubspot_sending_at__isnull=False).count() == 10

    control(sandbox, "faults", {})
    run = sync(webinar)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    records = attendance_records(sandbox)
    assert set(records.values()) == {1} and sum(records.values()) == expected_records()


def test_syncing_twice_records_each_person_and_state_once(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **crowd_world())
    webinar, _ = sync_one(account, WEBINAR_ID)
    first = sandbox.hubspot_calls()
    again = sync(webinar)
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    calls = sandbox.hubspot_calls()
    assert calls[RECORD] == first[RECORD] and calls[COMPLETE] == first[COMPLETE] == 2
    assert repeated_records(sandbox) == {}
    assert again.counts["attendance_recorded"] == 0 and again.counts["events_completed"] == 0


def test_an_event_is_completed_again_only_when_its_attendance_changed(sandbox, linked):
    account, _ = linked
    alice, bob = person(1), person(2)
    sandbox.seed("custom", **world(past_webinar(
        registrants=[alice, bob], participants=[(alice["email"], 0, 30)])))
    webinar, _ = sync_one(account, 81234567890)
    assert sandbox.hubspot_calls()[COMPLETE] == 1

    sandbox.reset_calls()
    assert sync(webinar).counts["events_completed"] == 0
    assert COMPLETE not in sandbox.hubspot_calls()

    # Bob cancels after the event was completed: HubSpot counts no-shows again
    response = sandbox.zoom("PUT", "/webinars/81234567890/registrants/status",
                            json={"action": "cancel", "registrants": [{"email": bob["email"]}]})
    assert response.status_code == 204, response.text
    run = sync(webinar)
    assert run.counts["attendance_recorded"] == 1 and run.counts["events_completed"] == 1
    assert sandbox.hubspot_calls()[COMPLETE] == 1
    assert sync(webinar).counts["events_completed"] == 0
    assert repeated_records(sandbox) == {}
