"""What the benchmarks run besides the product: free ports, stopping a process group, and the
sandbox as its own HTTP server process (so it never competes with the benchmark's own
threads for one interpreter)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_start(tmp: Path, *, record: str | None) -> tuple[subprocess.Popen, str]:
    """The sandbox as its own HTTP server process, so it never competes with this one."""
    port = free_port()
    command = [sys.executable, "-m", "sandbox", "--port", str(port)]
    if record:
        command += ["--record", str(Path(record).resolve())]
    with (tmp / "sandbox.log").open("wb") as out:
        process = subprocess.Popen(command,
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/_sandbox/calls", timeout=2).raise_for_status()
            return process, url
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                stop(process)
                raise SystemExit("the sandbox did not start; see its log") from None
            time.sleep(0.2)


def sandbox_post(url: str, path: str, body: dict | None = None) -> dict:
    response = requests.post(f"{url}/_sandbox/{path}", json=body or {}, timeout=600)
    response.raise_for_status()
    return response.json() if response.content else {}


def stop(process: subprocess.Popen) -> None:
    for sig, grace_s in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue
