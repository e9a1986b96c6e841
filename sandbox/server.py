"""HTTP and dispatch, and ``SandboxServer`` (the importable entry point).

URL layout: Zoom under ``/zoom`` (``/zoom/oauth/token``, ``/zoom/v2/...``), HubSpot under
``/hubspot`` and the control API under ``/_sandbox`` (``routing.py`` has the route tables).
A Zoom or HubSpot request goes through injected faults, then authentication and rate limits,
then its handler; every answer is counted, and recorded with ``record_path``.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .common import (
    BadJson,
    ControlError,
    HubSpotError,
    Reply,
    Request,
    ZoomError,
    ZoomOAuthError,
    iso_ms,
)
from .credentials import HUBSPOT_PORTAL_ID
from .hubspot.oauth import check_auth as hubspot_check_auth
from .record import NO_RECORD_HEADER, Recorder, exchange_entry
from .replies import error_reply, fault_reply, internal_error_reply, not_found_reply
from .routing import SERVICES, Route, check_zoom_uuid_encoding, find_route, split_path
from .seeds import apply_seed
from .world import World
from .zoom.oauth import check_auth as zoom_check_auth

MAX_BODY = 64 * 1024 * 1024
HANDLED = (ZoomError, ZoomOAuthError, HubSpotError, ControlError, BadJson)


def split_service(raw_path: str) -> tuple[str | None, str]:
    """(service, service-relative path); (None, path) outside the three prefixes."""
    for name, prefix in SERVICES:
        if raw_path == prefix or raw_path.startswith(prefix + "/"):
            return name, raw_path[len(prefix):] or "/"
    return None, raw_path


def dispatch(req: Request, service: str | None, rel: str) -> Reply:
    if service is None:
        return not_found_reply(None, req.method, rel, [])
    try:
        segments, doubled = split_path(rel)
        route, params = find_route(service, req.method, segments)
        if route is None:
            return not_found_reply(service, req.method, rel, params)
        req.template = route.template
        req.params = params
        if service == "control":
            return route.handler(req)
        return _serve(req, service, route, segments, doubled)
    except HANDLED as exc:
        return error_reply(service, exc)
    except Exception as exc:  # a sandbox bug: answer 500 in the service's shape
        traceback.print_exc()
        return internal_error_reply(service, exc)


def _serve(req: Request, service: str, route: Route, segments: list[str],
           doubled: list[bool]) -> Reply:
    """A Zoom or HubSpot request: injected faults, then authentication and rate limits, then
    the handler."""
    world: World = req.world
    fault = world.faults.draw(service, req.path)
    if fault is not None:
        if fault.slow_s:
            world.count_fault("slow")
            # real time, not the sandbox's clock: a slow answer is there to meet the
            # client's socket timeout, which only a real delay does
            time.sleep(fault.slow_s)
        if fault.kind == "reset_after_apply":
            # the request does whatever it does; its answer never leaves
            try:
                _answer(req, service, route, segments, doubled)
            except HANDLED:
                pass
            return Reply(0, None, fault="reset_after_apply")
        if fault.kind is not None:
            return fault_reply(world, service, route, req, fault)
    return _answer(req, service, route, segments, doubled)


def _answer(req: Request, service: str, route: Route, segments: list[str],
            doubled: list[bool]) -> Reply:
    limited, headers = _admit(req, service, route, segments, doubled)
    if limited is not None:
        return limited
    reply = route.handler(req)
    if headers:
        reply.headers = {**headers, **reply.headers}
    return reply


def _admit(req: Request, service: str, route: Route, segments: list[str],
           doubled: list[bool]) -> tuple[Reply | None, dict]:
    """(a 429 or None, rate-limit headers for the answer); raises on a refused token."""
    limits = req.world.limits
    if service == "zoom":
        check_zoom_uuid_encoding(route, segments, doubled)
        if route.auth:
            zoom_check_auth(req)
            return limits.zoom_admit(route.category)
    elif route.auth:
        group = hubspot_check_auth(req)
        return limits.hubspot_admit(group, HUBSPOT_PORTAL_ID)
    return None, {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sandbox/1.0"
    sys_version = ""
    # headers + body leave in one write (flushed per request by BaseHTTPRequestHandler), and
    # no Nagle: otherwise keep-alive clients stall ~40 ms per request on delayed ACKs.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if self.server.sandbox.verbose:
            sys.stderr.write(f"sandbox: {self.address_string()} - {format % args}\n")

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # ------------------------------------------------------------------ body
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
                size = int(size_line or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    # ------------------------------------------------------------------ dispatch
    def _handle(self):
        sandbox: SandboxServer = self.server.sandbox
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Reply(400, {"error": "bad request body"}))
            return
        service, rel = split_service(raw_path)
        req = Request(service=service or "", method=self.command.upper(), path=rel,
                      template="", params={},
                      query=dict(parse_qsl(raw_query, keep_blank_values=True)),
                      headers={k.lower(): v for k, v in self.headers.items()},
                      raw_body=body, world=sandbox.world)
        reply = dispatch(req, service, rel)
        if service in ("zoom", "hubspot"):
            sandbox.account_for(req, service, raw_path, reply)
        if reply.fault in ("reset", "reset_after_apply"):
            self._reset_connection()
            return
        self._send(reply)

    def _reset_connection(self) -> None:
        """Drop the connection with a TCP RST, without a byte of response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, reply: Reply) -> None:
        if reply.status == 204:
            payload = b""
        elif reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(reply.body, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(reply.status)
            if reply.status != 204:
                ctype = reply.content_type
                if ctype == "application/json":
                    ctype = "application/json;charset=utf-8"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class SandboxServer:
    """A Zoom + HubSpot stand-in served over real HTTP.

    >>> with SandboxServer() as srv:            # port 0 = a free port
    ...     requests.get(srv.url + "/_sandbox/credentials")
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, record_path: str | None = None,
                 *, world: World | None = None, verbose: bool = False):
        self.world = world if world is not None else World()
        self.host = host
        self.verbose = verbose
        self.record_path = record_path
        self.recorder = Recorder(record_path) if record_path else None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        public_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.url = f"http://{public_host}:{self.port}"
        self.world.base_url = self.url
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name=f"sandbox-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (from another thread) or Ctrl-C."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.world.webhooks.close()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        if self.recorder is not None:
            self.recorder.close()

    def seed(self, scenario: str | None = None, **params) -> dict:
        return apply_seed(self.world, scenario, **params)

    def account_for(self, req: Request, service: str, raw_path: str, reply: Reply) -> None:
        """Count one Zoom/HubSpot exchange, and record it unless a fault made up the answer."""
        world = self.world
        key = f"{service} {req.method} {req.template or '(unmatched)'}"
        world.count_call(key, status=reply.status, rate_limited=reply.status == 429)
        if reply.fault:
            world.count_fault(reply.fault)
        elif self.recorder is not None and req.headers.get(NO_RECORD_HEADER) != "off":
            self.recorder.write(exchange_entry(req, service, raw_path, reply,
                                               iso_ms(world.now())))

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
