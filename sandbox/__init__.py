"""A stateful stand-in for Zoom and HubSpot, served over real HTTP (standard library only).

    from sandbox import SandboxServer
    with SandboxServer() as srv:          # free port, serves in a daemon thread
        srv.seed("demo")
        print(srv.url)                    # http://127.0.0.1:PORT

Zoom lives under ``{url}/zoom`` (OAuth ``/zoom/oauth/{authorize,token,revoke}``, API
``/zoom/v2``), HubSpot under ``{url}/hubspot`` (OAuth ``/hubspot/oauth/authorize`` and
``/hubspot/oauth/v1/...``) and the control API under ``{url}/_sandbox``:

- ``POST reset`` (empty world, no limits, no faults, no webhook targets or log, the clock back
  on real time), ``POST seed`` (keeps limits, faults, webhook targets and the clock),
  ``GET state``, ``GET calls`` (+ ``POST calls/reset``), ``GET credentials``, ``GET health``;
- ``GET|POST limits``: ``hubspot_per_10s``, ``hubspot_daily``, ``zoom_qps``
  (``{"light","medium","heavy","resource_intensive"}``), ``zoom_daily_heavy``,
  ``zoom_token_ttl_s``, ``hubspot_token_ttl_s``, ``page_token_ttl_s`` (partial updates, ``null``
  removes one); see ``limits.py``;
- ``GET|POST faults``: ``error_rate``, ``rate_limit_rate``, ``reset_rate``, ``slow_rate`` +
  ``slow_s``, ``partial_rate``, ``retry_after`` (``seconds|milliseconds|iso|none``),
  ``retry_after_s``, ``services``, ``seed`` (``{}`` clears); see ``faults.py``;
- ``GET|POST clock``: ``POST {"advance_s": N}`` moves the sandbox's time N seconds forward (a
  negative N is refused); token, code and page-token lifetimes, rate-limit windows and daily
  caps all follow it. Both answer ``{"now": "<ISO time>", "offset_s": N}``; see ``clock.py``
  (in-process, ``World(clock=FrozenClock())`` stands still between advances);
- Zoom finishing a held session (see ``control/zoom.py``): ``POST zoom/report``
  ``{"uuid": "...", "ready": false|true}`` (listed, but its report and participants answer 404
  until ready), ``POST zoom/participants`` ``{"uuid": "...", "durations_computed": false}``
  (rows without leave time or duration) or ``{"uuid": "...", "leave_minutes": {"a@x.com": 45}}``
  (real leave times, durations computed), ``POST zoom/page-tokens/expire`` (every
  ``next_page_token`` issued so far expires);
- webhooks (see ``webhooks/``): ``GET|POST webhooks`` ``{"zoom": URL|null, "hubspot":
  URL|null}`` (where the sandbox's state changes send signed events), ``GET webhooks/log``,
  ``POST zoom/webinars/{id}/live`` (a held session played over simulated time; see
  ``webhooks/live.py`` and ``webhooks/playback.py``).

OAuth is auto-approved (the user always clicks "Allow"). Unlike real Zoom, whose token response
says ``"api_url": "https://api.zoom.us"``, the sandbox answers ``"api_url": "{url}/zoom"``, so
``api_url + "/v2"`` is the API base in both cases.

``record_path`` (``--record FILE``) appends one JSON line per exchange, secrets redacted. Its
``service`` is ``zoom`` (REST API), ``zoom-oauth``, ``zoom-web`` or ``hubspot``, and ``path`` is
the full request path (``/zoom/v2/users``), so the file can be checked against Zoom's OpenAPI
specs with ``--service zoom --prefix /zoom/v2``. Not recorded: answers made up by an injected
fault (error, 429, reset) and requests sent with ``X-Sandbox-Record: off``.
"""

from .server import SandboxServer
from .world import World

__all__ = ["SandboxServer", "World"]
