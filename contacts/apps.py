from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"

    def ready(self):
        from . import webhooks  # noqa: F401  (registers the HubSpot contact webhook handlers)
