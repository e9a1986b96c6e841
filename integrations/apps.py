import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save


def _install_schedules(sender, **kwargs):
    """Keeps django-q2's schedule in line with settings.SYNC_SCHEDULES (the repeating jobs)."""
    from django.conf import settings
    from django_q.models import Schedule

    for name, (func, minutes) in settings.SYNC_SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes,
                      "repeats": -1},
        )


def _sqlite_real_variable_limit(sender, connection, **kwargs):
    """Django assumes SQLite's old limit of 999 variables per statement, which splits a bulk
    write of 2,000 registrants into ~200 statements. SQLite ≥ 3.32 allows 32,766 (PostgreSQL
    65,535): use what the library says, so a bulk write stays one statement per batch."""
    if connection.vendor != "sqlite":
        return
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    if limit > connection.features.max_query_params:
        connection.features.max_query_params = limit


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Linked accounts and sync"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)

        post_migrate.connect(_install_schedules, sender=self)
        from .models import ZoomAccount
        from .webhooks.zoom import webhook_secrets_forget

        post_save.connect(webhook_secrets_forget, sender=ZoomAccount,
                          dispatch_uid="webhook_secrets_forget_saved")
        post_delete.connect(webhook_secrets_forget, sender=ZoomAccount,
                            dispatch_uid="webhook_secrets_forget_deleted")
        connection_created.connect(_sqlite_real_variable_limit,
                                   dispatch_uid="sqlite_real_variable_limit")
