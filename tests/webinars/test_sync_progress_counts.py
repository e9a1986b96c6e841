"""A run's progress on a small webinar: done and total in records, and the total exact as soon
as each part of the sync starts (what the admin's progress bar shows)."""

import pytest

from integrations.models import SyncRun
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.sync import STEP_PUSH_EVENTS, webinar_sync

pytestmark = pytest.mark.django_db


def test_progress_counts_every_record_once_and_knows_the_attendance_total(sandbox, linked):
    account, _ = linked
    people = [{"email": f"p{i}@crowd.example", "first_name": "P", "status": "approved"}
              for i in range(5)]
    sandbox.seed("custom", **world(past_webinar(
        registrants=people,
        participants=[(f"p{i}@crowd.example", 0, 30) for i in range(3)]
        + [("p0@crowd.example", 40, 50)])))
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    seen = []

    def on_progress(run):
        seen.append((run.counts.get("step"), run.done, run.total))

    run = webinar_sync(webinar=webinar, trigger="test", on_progress=on_progress)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    # 5 registrants and 4 participant rows read, 5 contacts compared, 5 registrations and
    # 3 attendances recorded
    expected = 5 + 4 + 5 + (5 + 3)
    assert run.done == run.total == expected
    pushing = [(done, total) for step, done, total in seen if step == STEP_PUSH_EVENTS]
    # the first report of the step still has the estimate; once the step has counted what
    # is left to record, the total is exact
    assert len(pushing) > 2
    assert all(total == expected for _, total in pushing[1:])
    assert [done for done, _ in pushing] == sorted(done for done, _ in pushing)


def test_a_second_sync_expects_only_what_is_left_to_record(sandbox, linked):
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(
        registrants=[{"email": f"p{i}@crowd.example", "first_name": "P", "status": "approved"}
                     for i in range(4)],
        participants=[(f"p{i}@crowd.example", 0, 30) for i in range(2)])))
    webinars_discover(account=account)
    webinar = Webinar.objects.get()
    assert webinar_sync(webinar=webinar, trigger="test").status == SyncRun.Status.SUCCEEDED

    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    # the 4 registrants read and compared again (the settled participant report is not); the
    # 4 registrations and 2 attendances recorded by the first sync are not expected again:
    # the bar ends full
    assert run.done == run.total == 4 + 4
    assert run.counts["attendance_recorded"] == 0
