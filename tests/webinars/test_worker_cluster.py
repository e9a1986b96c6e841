"""The real django-q2 cluster: ticking a webinar enqueues a task that a worker process runs."""

import subprocess
import sys
import time

import pytest

from integrations.models import SyncRun
from tests.processes import ROOT, product_environment, stop
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.triggers import webinar_sync_toggle

pytestmark = pytest.mark.django_db(transaction=True)
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}


def test_checkbox_sync_runs_on_a_worker_process(sandbox, linked, monkeypatch, tmp_path):
    from django_q.tasks import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue for real, on the ORM broker
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[ALICE],
                                                participants=[(ALICE["email"], 0, 30)])))
    webinars_discover(account=account)
    webinar = Webinar.objects.get()

    env = product_environment(Q_SYNC="false", Q_WORKERS="1")
    # The worker writes to a file, not a pipe: it can never block on a full pipe, and reading
    # its output afterwards cannot hang.
    log_path = tmp_path / "qcluster.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    try:
        run = webinar_sync_toggle(webinar=webinar, enabled=True, trigger="checkbox")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            run.refresh_from_db()
            if run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
                break
            time.sleep(0.3)  # the worker is another process: real time has to pass
    finally:
        stop(worker)
    output = log_path.read_text(errors="replace")
    assert run.status == SyncRun.Status.SUCCEEDED, (run.status, run.error, output[-2000:])
    assert "alice@customer.example" in sandbox.hubspot_contacts()
