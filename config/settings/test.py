"""Settings for the test suite."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "y" * 40)
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "test-only-field-encryption-key")
os.environ["DEBUG"] = "false"

from .base import *  # noqa: E402,F401,F403
from .base import BASE_DIR, DATABASES, Q_CLUSTER, env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in the calling process so a test sees the result of what it enqueued; the test
# that runs a real worker cluster starts it with Q_SYNC=false.
Q_CLUSTER["sync"] = env.bool("Q_SYNC", default=True)
Q_CLUSTER["poll"] = 0.2
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a worker process can share the test database.
    # One per test process, so two test runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No client-side pacing unless a test turns it on (the sandbox has no limits by default).
HUBSPOT_RATE_LIMIT_PER_10S = 0
ZOOM_PLAN = "none"
API_MAX_RETRY_WAIT_S = 5.0
API_RETRY_BACKOFF_S = 0.02
WEBHOOK_BATCH_WINDOW_S = 0  # tests run the push at once (tasks run in the calling process)
WEBHOOK_DRAIN_GATHER_S = 0
