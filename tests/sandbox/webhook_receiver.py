"""A tiny webhook receiver for the sandbox's tests: an HTTP server in a thread that keeps what
arrives and checks each signature with its own implementation of the services' algorithms
(not the sandbox's), against the credentials ``GET /_sandbox/credentials`` documents."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def zoom_valid(secret: str, headers: dict, raw: bytes) -> bool:
    ts = headers.get("x-zm-request-timestamp", "")
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-zm-signature", ""), f"v0={digest}")


def hubspot_v3_valid(secret: str, method: str, url: str, headers: dict, raw: bytes) -> bool:
    ts = headers.get("x-hubspot-request-timestamp", "")
    mac = hmac.new(secret.encode(), method.encode() + url.encode() + raw + ts.encode(),
                   hashlib.sha256)
    return hmac.compare_digest(headers.get("x-hubspot-signature-v3", ""),
                               base64.b64encode(mac.digest()).decode())


class Receiver:
    """``statuses``: answers to give, in order (then 200)."""

    def __init__(self, zoom_secret: str = "", hubspot_secret: str = ""):
        self.zoom_secret = zoom_secret
        self.hubspot_secret = hubspot_secret
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver._record(self.path, headers, raw)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _record(self, path: str, headers: dict, raw: bytes) -> int:
        url = self.base + path
        item = {"path": path, "headers": headers, "raw": raw, "json": json.loads(raw),
                "zoom_valid": zoom_valid(self.zoom_secret, headers, raw),
                "hubspot_valid": hubspot_v3_valid(self.hubspot_secret, "POST", url,
                                                  headers, raw)}
        with self._lock:
            self.received.append(item)
            return self.statuses.pop(0) if self.statuses else 200

    def events(self, path: str = "/zoom") -> list[dict]:
        with self._lock:
            return [r for r in self.received if r["path"] == path]

    def wait_for(self, count: int, path: str = "/zoom", timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.events(path)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        return self.events(path)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
