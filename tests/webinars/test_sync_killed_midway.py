"""A worker killed (SIGKILL) at any point of a sync leaves nothing the next run cannot finish:
the next run ends with HubSpot exactly as after an uninterrupted sync — the same contacts and
properties, events and attendance records, none twice.

The sync runs as `manage.py sync_webinars --webinar ID` in a process of its own, against this
test's database and the sandbox over HTTP. The test watches the sandbox's call counter and
kills the process the moment the sandbox has applied a chosen call — before the process can
have written down the answer — then runs the sync again and compares.
"""

import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from contacts.models import Activity, Contact
from integrations.models import SyncRun
from tests.hubspot_state import end_state, repeated_records, start_over
from tests.processes import ROOT, product_environment, stop
from tests.scenarios import past_webinar, world

pytestmark = pytest.mark.django_db(transaction=True)

WEBINAR_ID = 81234567890
# The killed worker's lease: how long its run still counts as alive after its last progress.
LEASE_S = 1
PROPERTIES = ("/crm/v3/properties/",)
READS = "hubspot POST /crm/v3/objects/contacts/batch/read"
UPSERTS = "hubspot POST /crm/v3/objects/contacts/batch/upsert"
RECORDS = ("hubspot POST /marketing/v3/marketing-events/attendance/{externalEventId}/"
           "{subscriberState}/email-create")


def crowd_world() -> dict:
    """250 registrants, 180 of whom came (60 twice): three batches of contacts and of
    registrations, two of attendances."""
    people = [{"email": f"p{i:03d}@crowd.example", "first_name": f"P{i}", "status": "approved"}
              for i in range(250)]
    came = ([(p["email"], 0, 25) for p in people[:180]]
            + [(p["email"], 30, 50) for p in people[:60]])
    return world(past_webinar(registrants=people, participants=came))


def hubspot_calls(world) -> int:
    with world.lock:
        return sum(n for key, n in world.calls.items() if key.startswith("hubspot "))


def zoom_calls(world) -> int:
    with world.lock:
        return sum(n for key, n in world.calls.items() if key.startswith("zoom "))


def kill_point(name: str, calls: dict) -> tuple[str, int]:
    """(service, how many of its calls the sandbox has applied) when the worker is killed,
    worked out from an uninterrupted run's calls: its HubSpot calls come in the order
    properties, contact reads, contact upserts, the event, attendance, completion."""
    properties = sum(n for key, n in calls.items()
                     if key.startswith("hubspot ") and "/crm/v3/properties/" in key)
    before_upserts = properties + calls[READS]
    event = before_upserts + calls[UPSERTS] + 1
    return {
        "reading Zoom": ("zoom", 3),
        "creating our properties": ("hubspot", 2),
        "the first contacts created": ("hubspot", before_upserts + 1),
        "the first registrations recorded": ("hubspot", event + 1),
        "the last attendances recorded": ("hubspot", event + calls[RECORDS]),
        "the event completed": ("hubspot", event + calls[RECORDS] + 1),
    }[name]


def sync_killed_at(sandbox_server, service: str, calls: int, log_path) -> None:
    counter = hubspot_calls if service == "hubspot" else zoom_calls
    world = sandbox_server.world
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "sync_webinars", "--webinar", str(WEBINAR_ID),
             "--no-progress"], cwd=ROOT, env=product_environment(SYNC_LEASE_S=str(LEASE_S)),
            stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while worker.poll() is None and counter(world) < calls:
            assert time.monotonic() < deadline, "the sync never got that far"
            time.sleep(0.0005)  # another process: real time has to pass
    finally:
        stop_code = worker.poll()
        stop(worker)
    output = log_path.read_text(errors="replace")
    assert stop_code is None, f"the sync ended before it was killed:\n{output[-2000:]}"


@pytest.mark.parametrize("moment", [
    "reading Zoom", "creating our properties", "the first contacts created",
    "the first registrations recorded", "the last attendances recorded", "the event completed",
])
def test_the_run_after_a_killed_sync_ends_as_an_uninterrupted_one(moment, sandbox,
                                                                   sandbox_server, linked,
                                                                   tmp_path):
    sandbox.seed("custom", **crowd_world())
    call_command("sync_webinars", webinar=str(WEBINAR_ID), no_progress=True)
    expected = end_state(sandbox)
    service, calls = kill_point(moment, sandbox.calls()["by_endpoint"])

    start_over(sandbox)
    sandbox.seed("custom", **crowd_world())
    sync_killed_at(sandbox_server, service, calls, tmp_path / "killed-sync.log")

    # The killed run may have left its SyncRun "running": the next one joins it until its
    # lease runs out (a second here), then starts afresh.
    call_command("sync_webinars", webinar=str(WEBINAR_ID), no_progress=True)
    assert SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists()
    assert repeated_records(sandbox) == {}
    assert end_state(sandbox) == expected
    assert not Activity.objects.filter(hubspot_sending_at__isnull=False).exists()
    assert not Contact.objects.filter(created_by_sync=False).exists()
