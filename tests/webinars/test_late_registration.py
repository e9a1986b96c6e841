"""Someone who registers for a recurring webinar part-way through its series is registered for
the sessions still ahead, not for the ones already held."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.scenarios import iso, recurring_webinar, sync_one, world

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}
WEBINAR_ID = 85550001111


def states(event) -> list[tuple[str, str]]:
    return sorted((a["email"], a["state"]) for a in event["attendance"])


def test_a_registration_after_the_first_session_is_not_recorded_on_it(sandbox, linked):
    account, _ = linked
    # Weekly sessions two weeks ago and one week ago (both held) and one next week. Alice
    # registered before the series; Lee ten days ago, after the first session had ended.
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    lee = {"email": "lee@late.example", "first_name": "Lee", "status": "approved",
           "create_time": iso(ten_days_ago)}
    sandbox.seed("custom", **world(recurring_webinar(
        webinar_id=WEBINAR_ID, weeks_ago=(2, 1), weeks_ahead=(1,),
        registrants=[ALICE, lee],
        sessions=[("firstUUID==", [(ALICE["email"], 0, 30)]),
                  ("secondUUID==", [(ALICE["email"], 0, 30)])],
    )))
    sync_one(account, WEBINAR_ID)

    occurrences = [o["occurrence_id"]
                   for o in sandbox.state("zoom")["zoom"]["webinars"][0]["occurrences"]]
    events = sandbox.marketing_events()
    first, second, upcoming = (events[f"zoom-webinar-{WEBINAR_ID}-{o}"] for o in occurrences)
    alice, late = ALICE["email"], lee["email"]
    assert states(first) == [(alice, "attend"), (alice, "register")]
    assert states(second) == [(alice, "attend"), (alice, "register"), (late, "register")]
    assert states(upcoming) == [(alice, "register"), (late, "register")]
    # still one registration for the series
    assert sandbox.hubspot_contacts()[late]["zoomsync_webinar_registrations"] == "1"
