"""Starting the product in another process against the test's database and sandbox — as a
second worker or a second admin's terminal would — and stopping it for sure."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def product_environment(**extra) -> dict:
    """The environment of a product process that shares this test's database and sandbox."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": worker_database_url(),
            "ZOOM_OAUTH_BASE_URL": settings.ZOOM_OAUTH_BASE_URL,
            "ZOOM_API_BASE_URL": settings.ZOOM_API_BASE_URL,
            "HUBSPOT_API_BASE_URL": settings.HUBSPOT_API_BASE_URL, **extra}


def manage(args: list[str], *, log_path: Path, **env: str) -> subprocess.Popen:
    """`manage.py ARGS` in its own process group. Output goes to a file, not a pipe: the
    process can never block on a full pipe, and reading its output afterwards cannot hang."""
    with log_path.open("wb") as log:
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT,
                                env=product_environment(**env), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def stop(process: subprocess.Popen, *, first: int = signal.SIGTERM) -> None:
    """Stops the process's whole group, waiting a bounded time at each step."""
    for sig, grace_s in ((first, 5), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue
    raise AssertionError(f"process {process.pid} did not stop even when killed")
