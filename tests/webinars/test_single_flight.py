"""One sync per webinar at a time: a second trigger joins the sync already queued or running,
whichever process, worker or machine it comes from; a run whose worker died lapses."""

import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from integrations.models import SyncRun
from integrations.runs import sync_run_claim
from tests.processes import manage, stop
from tests.scenarios import past_webinar, world
from webinars import tasks
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.runs import webinar_runs
from webinars.services.sync import webinar_sync
from webinars.services.triggers import webinar_sync_enqueue

pytestmark = pytest.mark.django_db(transaction=True)

ZOOM_ID = "81234567890"
EVENT = f"zoom-webinar-{ZOOM_ID}"
PEOPLE = [{"email": f"person{n}@customer.example", "first_name": "Person",
           "last_name": str(n), "status": "approved"} for n in range(6)]
# four of the six came; the first rejoined
CAME = [(PEOPLE[0]["email"], 0, 20), (PEOPLE[0]["email"], 30, 50),
        *[(p["email"], 5, 40) for p in PEOPLE[1:4]]]
ONE_SET = {**{(p["email"], "register"): 1 for p in PEOPLE},
           **{(p["email"], "attend"): 1 for p in PEOPLE[:4]}}


@pytest.fixture
def webinar(sandbox, linked) -> Webinar:
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(webinar_id=int(ZOOM_ID), registrants=PEOPLE,
                                                participants=CAME)))
    webinars_discover(account=account)
    webinar = Webinar.objects.get(zoom_id=ZOOM_ID)
    webinar.sync_enabled = True
    webinar.save(update_fields=["sync_enabled"])
    return webinar


@pytest.fixture
def slow_zoom(sandbox):
    """Every Zoom answer takes a moment, so a sync lasts seconds and the others meet it."""
    sandbox.faults(slow_rate=1.0, slow_s=0.3, services=["zoom"])
    yield
    sandbox.faults()


@pytest.fixture
def real_queue(monkeypatch):
    """Enqueue for real (the ORM broker) instead of running the task in the test's process."""
    from django_q.tasks import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def attendance_records(sandbox) -> Counter:
    event = sandbox.marketing_events()[EVENT]
    return Counter((a["email"], a["state"]) for a in event["attendance"])


def queued_tasks() -> list:
    from django_q.models import OrmQ

    return [(t.func(), list(t.args())) for t in OrmQ.objects.order_by("pk")]


def run_queued_tasks() -> list[str]:
    """What a worker does with each queued task (django-q2 calls the function)."""
    from django_q.models import OrmQ

    outcomes = []
    for task in OrmQ.objects.order_by("pk"):
        assert task.func() == "webinars.tasks.sync_webinar"
        outcomes.append(tasks.sync_webinar(*task.args()))
        task.delete()
    return outcomes


def wait_for(condition, *, timeout_s: float = 60, what: str) -> None:
    """Another process is at work: real time has to pass."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


# --- three syncs at once ------------------------------------------------------------------


def test_three_syncs_of_one_webinar_at_once_make_one_run(webinar, sandbox, slow_zoom):
    start = threading.Barrier(3)
    outcomes = []

    def sync_in_another_process_like_thread():
        try:
            start.wait(timeout=30)
            run = webinar_sync(webinar=Webinar.objects.get(pk=webinar.pk), trigger="test")
            outcomes.append((run.pk, run.joined))
        finally:
            connection.close()

    threads = [threading.Thread(target=sync_in_another_process_like_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(joined for _pk, joined in outcomes) == [False, True, True]
    run = webinar_runs(webinar=webinar).get()  # the only run there is
    assert {pk for pk, _joined in outcomes} == {run.pk}
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert attendance_records(sandbox) == ONE_SET


def test_three_command_line_syncs_started_together_make_one_run(webinar, sandbox, slow_zoom,
                                                                tmp_path):
    logs = [tmp_path / f"sync-{n}.log" for n in range(3)]
    commands = [manage(["sync_webinars", "--webinar", ZOOM_ID, "--no-progress"], log_path=log)
                for log in logs]
    try:
        for command in commands:
            command.wait(timeout=120)
    finally:
        for command in commands:
            stop(command)
    outputs = [log.read_text(errors="replace") for log in logs]

    assert [c.returncode for c in commands] == [0, 0, 0], outputs
    run = webinar_runs(webinar=webinar).get()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert attendance_records(sandbox) == ONE_SET
    joined = [out for out in outputs if "this request joined it" in out]
    assert len(joined) == 2, outputs
    assert all("It was done by the sync this command joined." in out for out in joined)
    did_the_work = [out for out in outputs if out not in joined]
    assert len(did_the_work) == 1 and "✔ Pipeline Masterclass: 6 registrant(s)" in \
        did_the_work[0]


# --- the admin ----------------------------------------------------------------------------


def sync_now(admin_client, webinar):
    return admin_client.post("/admin/webinars/webinar/", {
        "action": "sync_now", "_selected_action": [webinar.pk]}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_double_clicked_sync_now_makes_one_run(webinar, sandbox, admin_client, real_queue):
    first = sync_now(admin_client, webinar)
    second = sync_now(admin_client, webinar)

    run = webinar_runs(webinar=webinar).get()
    assert messages_of(first) == ["Queued a sync of 1 webinar(s)."]
    [said] = messages_of(second)
    assert said.startswith(f"A sync of “Pipeline Masterclass ({ZOOM_ID})” is already queued "
                           f"— started {timezone.localtime(run.created_at):%Y-%m-%d %H:%M}")
    assert said.endswith("(sync now); this request joined it.")
    assert queued_tasks() == [("webinars.tasks.sync_webinar", [webinar.pk, run.pk])]

    assert run_queued_tasks() == ["succeeded"]
    assert webinar_runs(webinar=webinar).get().status == SyncRun.Status.SUCCEEDED
    assert attendance_records(sandbox) == ONE_SET


def test_sync_now_while_a_worker_runs_the_sync_joins_it(webinar, admin_client, real_queue):
    sync_now(admin_client, webinar)
    run = webinar_runs(webinar=webinar).get()
    assert sync_run_claim(run=run)  # a worker has started it

    [said] = messages_of(sync_now(admin_client, webinar))
    assert said.startswith(f"A sync of “Pipeline Masterclass ({ZOOM_ID})” is already running")
    assert f"on {run.worker}; this request joined it." in said
    assert webinar_runs(webinar=webinar).count() == 1 and len(queued_tasks()) == 1


def test_ticking_the_box_while_a_sync_is_queued_joins_it(webinar, admin_client, real_queue):
    sync_now(admin_client, webinar)
    Webinar.objects.filter(pk=webinar.pk).update(sync_enabled=False)
    response = admin_client.post("/admin/webinars/webinar/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "_save": "Save", "form-0-id": str(webinar.pk),
        "form-0-sync_enabled": "on"}, follow=True)
    assert any("is already queued" in m for m in messages_of(response))
    assert webinar_runs(webinar=webinar).count() == 1 and len(queued_tasks()) == 1


def test_a_task_whose_run_the_command_line_took_does_nothing(webinar, sandbox, real_queue):
    queued = webinar_sync_enqueue(webinar=webinar, trigger="sync now")
    # someone runs the command line before a worker gets to the task: it runs that sync
    run = webinar_sync(webinar=webinar, trigger="command")
    assert (run.pk, run.joined, run.status) == (queued.pk, False, SyncRun.Status.SUCCEEDED)

    assert run_queued_tasks() == ["joined"]
    assert webinar_runs(webinar=webinar).count() == 1
    assert attendance_records(sandbox) == ONE_SET


# --- a worker that died -------------------------------------------------------------------


def test_a_killed_workers_sync_lapses_and_the_next_trigger_starts_afresh(
        webinar, sandbox, tmp_path):
    sandbox.faults(slow_rate=1.0, slow_s=1.0, services=["zoom"])  # it is mid-sync for long
    worker = manage(["sync_webinars", "--webinar", ZOOM_ID, "--no-progress"],
                    log_path=tmp_path / "killed.log", SYNC_LEASE_S="1")
    try:
        wait_for(lambda: webinar_runs(webinar=webinar).filter(
            status=SyncRun.Status.RUNNING).exists(), what="the sync to start")
    finally:
        stop(worker, first=signal.SIGKILL)  # no chance to clean up
    stranded = webinar_runs(webinar=webinar).get()
    assert stranded.status == SyncRun.Status.RUNNING  # nobody told the database
    wait_for(lambda: SyncRun.objects.filter(pk=stranded.pk,
                                            lease_expires_at__lt=timezone.now()).exists(),
             what="its one-second lease to run out")
    sandbox.faults()

    fresh = webinar_sync_enqueue(webinar=webinar, trigger="sync now")  # runs at once here

    assert not fresh.joined and fresh.pk != stranded.pk
    stranded.refresh_from_db()
    assert stranded.status == SyncRun.Status.FAILED
    assert stranded.error.startswith("The worker stopped (")
    assert "The next sync starts afresh." in stranded.error
    fresh.refresh_from_db()
    assert fresh.status == SyncRun.Status.SUCCEEDED, fresh.error
    assert attendance_records(sandbox) == ONE_SET


def test_a_sync_given_up_for_lapsed_stops_before_writing_anything(webinar, sandbox, settings,
                                                                  real_queue):
    taken_over = []

    def on_progress(run):
        if taken_over:
            return
        # it stalls past its lease; meanwhile someone presses Sync now
        with time_machine.travel(timezone.now() + timedelta(seconds=settings.SYNC_LEASE_S + 5)):
            taken_over.append(webinar_sync_enqueue(webinar=webinar, trigger="sync now"))

    run = webinar_sync(webinar=webinar, trigger="command", on_progress=on_progress)

    assert run.status == SyncRun.Status.FAILED and "The worker stopped" in run.error
    [fresh] = taken_over
    assert not fresh.joined and fresh.status == SyncRun.Status.QUEUED
    assert not sandbox.hubspot_contacts()
    assert EVENT not in sandbox.marketing_events()


def test_a_queued_sync_no_worker_started_is_given_up_by_the_next_trigger(
        webinar, settings, real_queue):
    forgotten = webinar_sync_enqueue(webinar=webinar, trigger="sync now")
    later = timezone.now() + timedelta(seconds=settings.SYNC_QUEUE_MAX_WAIT_S + 60)
    with time_machine.travel(later):
        fresh = webinar_sync_enqueue(webinar=webinar, trigger="schedule")
    assert not fresh.joined and fresh.pk != forgotten.pk
    forgotten.refresh_from_db()
    assert forgotten.status == SyncRun.Status.FAILED
    assert forgotten.error.startswith("No worker started this sync within 60 minutes")
    # should the lost task turn up after all, it finds its run given up and does nothing
    assert tasks.sync_webinar(webinar.pk, forgotten.pk) == "joined"


def test_the_schedule_gives_up_runs_whose_worker_stopped(webinar, settings, real_queue):
    run = webinar_sync_enqueue(webinar=webinar, trigger="sync now")
    assert sync_run_claim(run=run)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SYNC_LEASE_S + 5)):
        tasks.sync_all_enabled()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and run.error.startswith("The worker stopped")
    assert run.active_key is None
