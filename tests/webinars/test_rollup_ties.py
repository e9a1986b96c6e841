"""Two webinars at the same time: the roll-ups name the one with the larger Zoom webinar id
(SPEC §5.2), whichever was synced — and so stored — first."""

import pytest

from contacts.models import Contact
from tests.scenarios import past_webinar, sync_one, world

pytestmark = pytest.mark.django_db

ALICE = "alice@customer.example"


@pytest.mark.parametrize(("smaller_id", "larger_id"), [
    (81234567890, 81234567891),
    # Zoom ids differ in length: compared as numbers, 81234567890 is the larger
    (987654321, 81234567890),
])
@pytest.mark.parametrize("larger_first", [True, False], ids=["larger-first", "smaller-first"])
def test_a_tie_goes_to_the_larger_zoom_webinar_id(sandbox, linked, smaller_id, larger_id,
                                                  larger_first):
    account, _ = linked
    alice = {"email": ALICE, "first_name": "Alice", "status": "approved"}
    # same day, same start (15:00 UTC) and the same registration time on both
    smaller = past_webinar(webinar_id=smaller_id, topic="Smaller id", days_ago=2,
                           uuid="smallerUUID==", registrants=[alice],
                           participants=[(ALICE, 0, 30)])
    larger = past_webinar(webinar_id=larger_id, topic="Larger id", days_ago=2,
                          uuid="largerUUID==", registrants=[alice],
                          participants=[(ALICE, 0, 45)])
    assert smaller["start_time"] == larger["start_time"]
    assert smaller["registrants"][0]["create_time"] == larger["registrants"][0]["create_time"]
    sandbox.seed("custom", **world(smaller, larger))

    order = [larger_id, smaller_id] if larger_first else [smaller_id, larger_id]
    for zoom_id in order:
        sync_one(account, zoom_id)

    contact = sandbox.hubspot_contacts()[ALICE]
    assert contact["zoomsync_webinars_attended"] == "2"
    assert contact["zoomsync_last_attended_webinar"] == "Larger id"
    assert contact["zoomsync_last_registered_webinar"] == "Larger id"
    assert str(larger_id) in contact["zoomsync_last_join_url"]
    stored = Contact.objects.get(email=ALICE)
    assert (stored.last_attended_webinar, stored.last_registered_webinar) == (
        "Larger id", "Larger id")
