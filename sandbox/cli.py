"""Command line for the sandbox.

    python -m sandbox [--host 127.0.0.1] [--port 8765] [--seed NAME] [--record FILE]
                      [--zoom-webhook URL] [--hubspot-webhook URL]

Serves until Ctrl-C. The Django ``sandbox`` management command calls ``main([...])``.
"""

from __future__ import annotations

import argparse
import sys

from .seeds import SCENARIOS
from .server import SandboxServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandbox",
                                     description="Serve the Zoom + HubSpot sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", choices=SCENARIOS, default=None,
                        help="load a scenario at start-up")
    parser.add_argument("--record", metavar="FILE", default=None,
                        help="append one JSON line per Zoom/HubSpot exchange to FILE")
    parser.add_argument("--zoom-webhook", metavar="URL", default=None,
                        help="send Zoom's webhooks there from the start")
    parser.add_argument("--hubspot-webhook", metavar="URL", default=None,
                        help="send HubSpot's webhooks there from the start")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    srv = SandboxServer(host=args.host, port=args.port, record_path=args.record,
                        verbose=args.verbose)
    if args.seed:
        info = srv.seed(args.seed)
        print(f"Seeded scenario {args.seed!r}: {info['webinars']} webinars, "
              f"{info['registrants']} registrants, {info['participants']} participant rows, "
              f"{info['contacts']} HubSpot contacts", flush=True)
    targets = {"zoom": args.zoom_webhook, "hubspot": args.hubspot_webhook}
    if any(targets.values()):
        srv.world.webhooks.set_targets(targets)
        for service, target in targets.items():
            print(f"  {service} webhooks → {target}", flush=True)
    url = srv.url
    print(f"Sandbox serving on {url}", flush=True)
    print(f"  ZOOM_OAUTH_BASE_URL={url}/zoom", flush=True)
    print(f"  ZOOM_API_BASE_URL={url}/zoom/v2", flush=True)
    print(f"  HUBSPOT_API_BASE_URL={url}/hubspot", flush=True)
    print(f"  credentials: {url}/_sandbox/credentials  (Ctrl-C to stop)", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        print("\nSandbox stopped.", file=sys.stderr, flush=True)
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
