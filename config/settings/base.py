"""Settings shared by every environment; everything configurable comes from the environment."""

from pathlib import Path

import environ

from config.env import env_file_load

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# manage.py and the WSGI module read .env before choosing these settings; this covers the
# processes that choose them otherwise (pytest, django-admin). Real environment variables win.
env_file_load()
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public URL of this installation, used for OAuth redirects and webhook URLs shown to users.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Webhooks (/webhooks/zoom/, /webhooks/hubspot/): larger bodies are refused with 413, and
# signed timestamps further than this from now are refused as possible replays.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)
WEBHOOK_MAX_AGE_S = env.int("WEBHOOK_MAX_AGE_S", default=300)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "solo",
    "integrations",
    "contacts",
    "webinars",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "integrations.oauth.context_processors.reconnect_notices",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL points elsewhere (postgres://user@host/db).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests (PostgreSQL would otherwise start a backend for every
# webhook Zoom sends), and checked before reuse so one the server dropped is replaced.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Web and worker processes share one SQLite file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Write-ahead log: readers never wait for the writer, and a commit costs one append, so
    # webhook acks, workers and admin pages share the file without queueing behind each other.
    # (SQLite's own rule: the file must be on a local disk, not a network share.)
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Fernet key(s) for secrets at rest (tokens, client secrets). Comma-separated: the first one
# encrypts, every one decrypts, so keys can be rotated without re-linking accounts.
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY")

# Where Zoom and HubSpot live. Point them at the sandbox for demos and tests.
ZOOM_OAUTH_BASE_URL = env("ZOOM_OAUTH_BASE_URL", default="https://zoom.us").rstrip("/")
ZOOM_API_BASE_URL = env("ZOOM_API_BASE_URL", default="https://api.zoom.us/v2").rstrip("/")
HUBSPOT_API_BASE_URL = env("HUBSPOT_API_BASE_URL", default="https://api.hubapi.com").rstrip("/")

# OAuth apps behind the admin's "Connect … (OAuth)" buttons (optional: accounts can also be linked
# with Server-to-Server credentials or a private-app token). Each app's redirect URL must be
# {PUBLIC_BASE_URL}/oauth/zoom/callback/ or {PUBLIC_BASE_URL}/oauth/hubspot/callback/.
ZOOM_OAUTH_CLIENT_ID = env("ZOOM_OAUTH_CLIENT_ID", default="")
ZOOM_OAUTH_CLIENT_SECRET = env("ZOOM_OAUTH_CLIENT_SECRET", default="")
HUBSPOT_AUTHORIZE_URL = env("HUBSPOT_AUTHORIZE_URL",
                            default="https://app.hubspot.com/oauth/authorize")
HUBSPOT_CLIENT_ID = env("HUBSPOT_CLIENT_ID", default="")
HUBSPOT_CLIENT_SECRET = env("HUBSPOT_CLIENT_SECRET", default="")
# Space-separated scopes the HubSpot app asks for.
HUBSPOT_OAUTH_SCOPES = env("HUBSPOT_OAUTH_SCOPES", default=(
    "crm.objects.contacts.read crm.objects.contacts.write crm.schemas.contacts.read "
    "crm.schemas.contacts.write crm.objects.marketing_events.read "
    "crm.objects.marketing_events.write"
))

# HubSpot batch endpoints accept at most 100 inputs.
HUBSPOT_BATCH_SIZE = env.int("HUBSPOT_BATCH_SIZE", default=100)
# Seconds before an HTTP call to Zoom or HubSpot is abandoned (connect, read).
API_TIMEOUT_S = env.float("API_TIMEOUT_S", default=30.0)
# How often a failed call (429, 5xx, connection error) is tried again, and the longest single
# wait we accept; a longer Retry-After (Zoom's daily limit) fails the sync with a clear message.
API_MAX_RETRIES = env.int("API_MAX_RETRIES", default=6)
API_MAX_RETRY_WAIT_S = env.float("API_MAX_RETRY_WAIT_S", default=60.0)
# First backoff step in seconds (doubles each attempt, with jitter, up to 30 s).
API_RETRY_BACKOFF_S = env.float("API_RETRY_BACKOFF_S", default=0.5)
# Client-side pacing. HubSpot private apps: 100 requests / 10 s (Free, Starter) or 190
# (Professional, Enterprise). Zoom: "pro" or "business" plan rate limits per category.
HUBSPOT_RATE_LIMIT_PER_10S = env.int("HUBSPOT_RATE_LIMIT_PER_10S", default=100)
ZOOM_PLAN = env("ZOOM_PLAN", default="pro")
# Or exact requests per second per category, e.g. "light=30,medium=20,heavy=10".
ZOOM_QPS = env.dict("ZOOM_QPS", cast={"value": int}, default={})
# How often the scheduler re-syncs every webinar with sync enabled (minutes).
SYNC_SCHEDULE_MINUTES = env.int("SYNC_SCHEDULE_MINUTES", default=15)
# With Zoom's webhooks on for an account (a signed delivery arrived within
# ZOOM_WEBHOOKS_ACTIVE_H hours), the schedule leaves alone a webinar whose sessions are all
# over with their attendance final, and re-syncs upcoming webinars (and lists the account's
# webinars) only every SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS minutes: webhooks bring the rest.
ZOOM_WEBHOOKS_ACTIVE_H = env.int("ZOOM_WEBHOOKS_ACTIVE_H", default=24)
SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS = env.int("SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS", default=60)
# Single flight (one queued or running sync per webinar): a running sync renews its lease with
# every progress save; one that made no progress for SYNC_LEASE_S seconds counts as stopped (its
# worker died) and the next trigger starts afresh. A queued sync that no worker started within
# SYNC_QUEUE_MAX_WAIT_S seconds is given up the same way.
SYNC_LEASE_S = env.int("SYNC_LEASE_S", default=300)
SYNC_QUEUE_MAX_WAIT_S = env.int("SYNC_QUEUE_MAX_WAIT_S", default=3600)
# A webinar session Zoom reports no held session for this many hours after its scheduled end
# is "not held": its HubSpot event is cancelled and the schedule stops polling it. Zoom lists
# a held session within minutes of its end; a day leaves room for a late or overrunning one.
WEBINAR_NOT_HELD_AFTER_H = env.int("WEBINAR_NOT_HELD_AFTER_H", default=24)
# Zoom webhooks: what they change reaches HubSpot in one batched push per webinar per window
# of WEBHOOK_BATCH_WINDOW_S seconds; WEBHOOK_RECONCILE_DELAY_S seconds after a session ends
# a full sync of the webinar picks up whatever webhooks were lost.
WEBHOOK_BATCH_WINDOW_S = env.float("WEBHOOK_BATCH_WINDOW_S", default=1.0)
WEBHOOK_RECONCILE_DELAY_S = env.int("WEBHOOK_RECONCILE_DELAY_S", default=300)
# Stored deliveries are processed by one worker at a time, WEBHOOK_DRAIN_BATCH at once (a burst
# of joins becomes a few bulk writes); while they keep coming it waits WEBHOOK_DRAIN_GATHER_S
# seconds for the next batch to fill, and after WEBHOOK_DRAIN_MAX it hands over to a new task
# so the tasks queued behind it get their turn.
WEBHOOK_DRAIN_BATCH = env.int("WEBHOOK_DRAIN_BATCH", default=250)
WEBHOOK_DRAIN_GATHER_S = env.float("WEBHOOK_DRAIN_GATHER_S", default=0.1)
WEBHOOK_DRAIN_MAX = env.int("WEBHOOK_DRAIN_MAX", default=5000)
# Retention (days): finished sync runs, and processed, ignored or duplicate webhook deliveries
# are deleted once this old; failed deliveries are kept longer, for reprocessing. Queued or
# running runs and pending deliveries are never deleted. Pruned daily and by `prune_history`.
SYNC_RUN_RETENTION_DAYS = env.int("SYNC_RUN_RETENTION_DAYS", default=90)
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=30)
WEBHOOK_FAILED_RETENTION_DAYS = env.int("WEBHOOK_FAILED_RETENTION_DAYS", default=90)
# How often the forms of form → webinar rules are read for new submissions (minutes).
FORM_POLL_MINUTES = env.int("FORM_POLL_MINUTES", default=2)
# The repeating jobs every installation runs, kept in django-q2's schedule after each migrate:
# name -> (task, every N minutes).
SYNC_SCHEDULES = {
    "Sync enabled webinars": ("webinars.tasks.sync_all_enabled", SYNC_SCHEDULE_MINUTES),
    "Prune old history": ("integrations.tasks.prune_history", 24 * 60),
    # Normally each stored delivery queues its processing; this picks up what a crashed worker
    # left half done.
    "Process waiting webhook deliveries": ("integrations.tasks.drain_webhook_inbox", 1),
    "Register form submissions": ("webinars.tasks.poll_registration_forms",
                                  FORM_POLL_MINUTES),
}

# django-q2: the ORM broker by default (no extra service), Redis when REDIS_URL is set.
# `timeout` is the longest a single task may run; `retry` is when the broker hands an
# unacknowledged task to another worker. retry must exceed timeout, or a slow sync would be
# started twice in parallel.
Q_CLUSTER = {
    # Installations sharing one Redis need different names (their queues are kept apart).
    "name": env("Q_CLUSTER_NAME", default="zoomsync"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=1800),
    "retry": env.int("Q_RETRY", default=2100),
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "save_limit": 500,
    "label": "Task queue",
}
REDIS_URL = env("REDIS_URL", default="")
# Where the pacing windows live: Redis shares them between all workers.
RATE_LIMIT_STORAGE_URL = env("RATE_LIMIT_STORAGE_URL", default=REDIS_URL or "memory://")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # How often an idle worker asks the database for a task (seconds): the delay before a
    # webhook's change starts on its way to HubSpot, against one cheap query per poll.
    Q_CLUSTER["poll"] = env.float("Q_POLL", default=0.2)
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    raise environ.ImproperlyConfigured("Q_RETRY must be larger than Q_TIMEOUT.")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "urllib3": {"level": "WARNING"},
    },
}
