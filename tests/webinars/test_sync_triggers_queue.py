"""What each way of starting a sync puts on the task queue (the ORM broker, read back as the
admin's "Queued tasks" shows it), and the run it shows right away."""

from datetime import date

import pytest

from integrations.models import SyncRun, ZoomAccount
from webinars.models import Webinar
from webinars.services.runs import KIND_DISCOVERY, KIND_SYNC
from webinars.services.triggers import (
    account_backfill_enqueue,
    webinar_sync_enqueue,
    webinar_sync_toggle,
    webinars_discovery_enqueue,
    webinars_sync_disable,
    webinars_sync_enable,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_queue(monkeypatch):
    """Enqueue for real instead of running the task in the test's process."""
    from django_q.tasks import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def queued() -> list[dict]:
    from django_q.models import OrmQ

    return [{"func": t.func(), "args": list(t.args()), "name": t.name(), "group": t.group()}
            for t in OrmQ.objects.order_by("pk")]


def account(number: int = 1) -> ZoomAccount:
    return ZoomAccount.objects.create(name=f"Zoom {number}", zoom_account_id=f"acc-{number}",
                                      auth_type="s2s", client_id="id", client_secret="secret")


def webinar(zoom_account: ZoomAccount, zoom_id: str, *, enabled: bool = False) -> Webinar:
    return Webinar.objects.create(zoom_account=zoom_account, zoom_id=zoom_id,
                                  topic=f"Webinar {zoom_id}", sync_enabled=enabled)


def test_ticking_the_checkbox_queues_one_sync_after_commit(django_capture_on_commit_callbacks):
    w = webinar(account(), "81234567890")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = webinar_sync_toggle(webinar=w, enabled=True, trigger="checkbox")
    assert queued() == []  # nothing reaches a worker before the admin's change is saved
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued() == [{"func": "webinars.tasks.sync_webinar", "args": [w.pk, run.pk],
                         "name": "Sync webinar 81234567890", "group": "webinar-sync"}]
    run.refresh_from_db()
    assert (run.kind, run.trigger, run.status) == (KIND_SYNC, "checkbox", SyncRun.Status.QUEUED)
    assert run.target_key == "81234567890"
    assert Webinar.objects.get(pk=w.pk).sync_enabled


def test_saving_a_ticked_box_again_queues_nothing(django_capture_on_commit_callbacks):
    w = webinar(account(), "81234567890", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert webinar_sync_toggle(webinar=w, enabled=True, trigger="checkbox") is None
    assert queued() == [] and not SyncRun.objects.exists()


def test_unticking_stops_future_syncs_and_queues_nothing(django_capture_on_commit_callbacks):
    w = webinar(account(), "81234567890", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert webinar_sync_toggle(webinar=w, enabled=False, trigger="checkbox") is None
    assert queued() == [] and not SyncRun.objects.exists()
    assert not Webinar.objects.get(pk=w.pk).sync_enabled


def test_a_stale_form_copy_still_queues_when_the_box_was_off(
        django_capture_on_commit_callbacks):
    # the admin's copy says "on" already (the form set it); the database still says off
    w = webinar(account(), "81234567890")
    w.sync_enabled = True
    with django_capture_on_commit_callbacks(execute=True):
        run = webinar_sync_toggle(webinar=w, enabled=True, trigger="checkbox")
    assert run is not None and [t["args"] for t in queued()] == [[w.pk, run.pk]]


def test_sync_now_queues_a_sync_even_when_enabled(django_capture_on_commit_callbacks):
    w = webinar(account(), "81234567890", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = webinar_sync_enqueue(webinar=w, trigger="sync now")
    assert not run.joined and run.status == SyncRun.Status.QUEUED
    assert [t["args"] for t in queued()] == [[w.pk, run.pk]]


def test_a_second_trigger_joins_the_queued_sync_and_queues_nothing(
        django_capture_on_commit_callbacks):
    w = webinar(account(), "81234567890", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = webinar_sync_enqueue(webinar=w, trigger="sync now")
        again = webinar_sync_enqueue(webinar=w, trigger="sync now")
        scheduled = webinar_sync_enqueue(webinar=w, trigger="schedule")
    assert (again.pk, again.joined) == (first.pk, True)
    assert (scheduled.pk, scheduled.joined) == (first.pk, True)
    assert [t["args"] for t in queued()] == [[w.pk, first.pk]]
    assert SyncRun.objects.filter(kind=KIND_SYNC).count() == 1


def test_once_a_sync_has_ended_the_next_trigger_queues_a_new_one(
        django_capture_on_commit_callbacks):
    from integrations.runs import sync_run_finish

    w = webinar(account(), "81234567890", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = webinar_sync_enqueue(webinar=w, trigger="sync now")
        sync_run_finish(run=first, status=SyncRun.Status.SUCCEEDED)
        second = webinar_sync_enqueue(webinar=w, trigger="sync now")
    assert not second.joined and second.pk != first.pk
    assert [t["args"] for t in queued()] == [[w.pk, first.pk], [w.pk, second.pk]]


def test_webinars_sync_one_at_a_time_each(django_capture_on_commit_callbacks):
    zoom = account()
    a, b = webinar(zoom, "81111111111"), webinar(zoom, "82222222222")
    with django_capture_on_commit_callbacks(execute=True):
        runs = [webinar_sync_enqueue(webinar=w, trigger="sync now") for w in (a, b, a, b)]
    assert [r.joined for r in runs] == [False, False, True, True]
    assert [t["name"] for t in queued()] == ["Sync webinar 81111111111",
                                             "Sync webinar 82222222222"]


def test_enable_action_queues_only_the_webinars_that_were_off(
        django_capture_on_commit_callbacks):
    zoom = account()
    off_1, on, off_2 = (webinar(zoom, "81111111111"), webinar(zoom, "82222222222", enabled=True),
                        webinar(zoom, "83333333333"))
    with django_capture_on_commit_callbacks(execute=True):
        runs = webinars_sync_enable(webinars=[off_1, on, off_2], trigger="enable action")
    assert [r.target_key for r in runs] == ["81111111111", "83333333333"]
    assert all(r.trigger == "enable action" for r in runs)
    assert [t["name"] for t in queued()] == ["Sync webinar 81111111111",
                                             "Sync webinar 83333333333"]
    assert set(Webinar.objects.values_list("sync_enabled", flat=True)) == {True}


def test_disable_action_unticks_and_counts(django_capture_on_commit_callbacks):
    zoom = account()
    a, b = webinar(zoom, "81111111111", enabled=True), webinar(zoom, "82222222222", enabled=True)
    other = webinar(zoom, "83333333333", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert webinars_sync_disable(webinars=[a, b]) == 2
    assert queued() == []
    assert dict(Webinar.objects.values_list("zoom_id", "sync_enabled")) == {
        "81111111111": False, "82222222222": False, "83333333333": True}
    assert other.sync_enabled


def test_the_schedule_queues_one_discovery_per_account(django_capture_on_commit_callbacks):
    first, second = account(1), account(2)
    with django_capture_on_commit_callbacks(execute=True):
        webinars_discovery_enqueue()
    assert queued() == [
        {"func": "webinars.tasks.discover_and_sync_account", "args": [first.pk],
         "name": f"Discover webinars of account {first.pk}", "group": "webinar-sync"},
        {"func": "webinars.tasks.discover_and_sync_account", "args": [second.pk],
         "name": f"Discover webinars of account {second.pk}", "group": "webinar-sync"},
    ]


def test_a_backfill_is_queued_with_its_discovery_run(django_capture_on_commit_callbacks):
    zoom = account()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = account_backfill_enqueue(account=zoom, since=date(2026, 3, 1))
    assert queued() == [] and len(callbacks) == 1
    callbacks[0]()
    assert queued() == [{"func": "webinars.tasks.backfill_account",
                         "args": [zoom.pk, "2026-03-01", run.pk, False],
                         "name": "Backfill webinars of Zoom 1", "group": "webinar-sync"}]
    run.refresh_from_db()
    assert (run.kind, run.trigger, run.status) == (KIND_DISCOVERY, "backfill",
                                                   SyncRun.Status.QUEUED)
    assert run.target_key == "acc-1"


def test_an_admin_backfill_says_who_started_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = account_backfill_enqueue(account=account(), since=date(2026, 3, 1),
                                       trigger="admin backfill")
    assert run.trigger == "admin backfill" and len(queued()) == 1


def test_ticking_boxes_on_a_list_loaded_before_a_sync_keeps_what_the_sync_stored(
        django_capture_on_commit_callbacks):
    # the admin's list was loaded, then a sync stored Zoom's new topic, then the box is ticked
    zoom = account()
    listed = [webinar(zoom, "81111111111"), webinar(zoom, "82222222222")]
    Webinar.objects.update(topic="Renamed in Zoom")
    with django_capture_on_commit_callbacks(execute=True):
        webinar_sync_toggle(webinar=listed[0], enabled=True, trigger="checkbox")
        webinars_sync_enable(webinars=[listed[1]], trigger="enable action")
    assert set(Webinar.objects.values_list("topic", "sync_enabled")) == {
        ("Renamed in Zoom", True)}
