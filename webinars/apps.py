from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
    verbose_name = "Webinars"

    def ready(self):
        from integrations.runs import run_kind_register

        from . import webhooks  # noqa: F401  (registers the Zoom webhook handlers)
        from .services.runs import COUNT_LABELS, KIND_LABELS

        for kind, label in KIND_LABELS.items():
            run_kind_register(kind=kind, label=label, count_labels=COUNT_LABELS.get(kind))
