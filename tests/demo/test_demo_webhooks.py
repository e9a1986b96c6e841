"""`make demo`'s sandbox sends its webhooks to the demo's web server from the start."""

import subprocess
import sys
import time

import requests

from tests.demo.test_demo_setup import free_port

ZOOM = "http://127.0.0.1:8000/webhooks/zoom/"
HUBSPOT = "http://127.0.0.1:8000/webhooks/hubspot/"


def test_the_sandbox_command_sets_its_webhook_targets():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox", "--port", str(port), "--zoom-webhook", ZOOM,
         "--hubspot-webhook", HUBSPOT], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/_sandbox/webhooks",
                                       timeout=2).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the sandbox never started"
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert targets == {"zoom": ZOOM, "hubspot": HUBSPOT}
