"""A stateful stand-in for Zoom and HubSpot, served over real HTTP (standard library only).

    from sandbox import SandboxServer
    with SandboxServer() as srv:          # free port, serves in a daemon thread
        srv.seed("demo")
        print(srv.url)                    # http://127.0.0.1:PORT

Zoom lives under ``{url}/zoom`` (token ``/zoom/oauth/token``, API ``/zoom/v2``), HubSpot under
``{url}/hubspot`` and the control API under ``{url}/_sandbox``.
"""

from .server import SandboxServer
from .world import World

__all__ = ["SandboxServer", "World"]
