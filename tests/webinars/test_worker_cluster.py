"""The real django-q2 cluster: ticking a webinar enqueues a task that a worker process runs."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from integrations.models import SyncRun
from tests.scenarios import past_webinar, world
from webinars.models import Webinar
from webinars.services.discovery import webinars_discover
from webinars.services.triggers import webinar_sync_toggle

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
ALICE = {"email": "alice@customer.example", "first_name": "Alice", "status": "approved"}


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def stop(worker: subprocess.Popen) -> None:
    """Stops the worker's whole process group, waiting a bounded time at each step."""
    for sig, grace_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue
    raise AssertionError(f"the worker (pid {worker.pid}) did not stop even when killed")


def test_checkbox_sync_runs_on_a_worker_process(sandbox, linked, monkeypatch, settings,
                                                tmp_path):
    from django_q.tasks import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue for real, on the ORM broker
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(registrants=[ALICE],
                                                participants=[(ALICE["email"], 0, 30)])))
    webinars_discover(account=account)
    webinar = Webinar.objects.get()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "Q_SYNC": "false",
           "DATABASE_URL": worker_database_url(), "Q_WORKERS": "1",
           "ZOOM_OAUTH_BASE_URL": settings.ZOOM_OAUTH_BASE_URL,
           "ZOOM_API_BASE_URL": settings.ZOOM_API_BASE_URL,
           "HUBSPOT_API_BASE_URL": settings.HUBSPOT_API_BASE_URL}
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
