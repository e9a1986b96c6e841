from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The commands that run the built-in sandbox and prepare the demo. The only product app
    that may import the sandbox; nothing imports this app."""

    name = "demo"
    verbose_name = "Demo"
