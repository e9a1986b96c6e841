from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the built-in sandbox that plays Zoom and HubSpot (for demos and tests)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", default="", help="Scenario to load at start, e.g. demo.")
        parser.add_argument("--record", default="", help="Write every exchange to this file.")
        parser.add_argument("--zoom-webhook", default="", help="Where Zoom's webhooks go.")
        parser.add_argument("--hubspot-webhook", default="", help="Where HubSpot's webhooks go.")

    def handle(self, *args, **opts):
        from sandbox.cli import main

        argv = ["--host", opts["host"], "--port", str(opts["port"])]
        if opts["seed"]:
            argv += ["--seed", opts["seed"]]
        if opts["record"]:
            argv += ["--record", opts["record"]]
        for flag in ("zoom_webhook", "hubspot_webhook"):
            if opts[flag]:
                argv += ["--" + flag.replace("_", "-"), opts[flag]]
        main(argv)
