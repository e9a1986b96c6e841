from django.apps import AppConfig
from django.db.models.signals import post_migrate

SCHEDULE_NAME = "Sync enabled webinars"


def _install_schedule(sender, **kwargs):
    """Keeps one django-q2 schedule that re-syncs enabled webinars every few minutes."""
    from django.conf import settings
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "webinars.tasks.sync_all_enabled",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.SYNC_SCHEDULE_MINUTES,
            "repeats": -1,
        },
    )


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        post_migrate.connect(_install_schedule, sender=self)
