"""``ordo serve`` runs the web app with one worker beside it, and stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("flags", [[], ["--no-worker"]])
def test_serve_starts_and_stops_with_its_worker(tmp_path, flags):
    env = {k: v for k, v in os.environ.items() if k != "ORDO_DATABASE_URL"}
    env.update({"ORDO_VAR_DIR": str(tmp_path), "ORDO_LOG_LEVEL": "ERROR"})
    ordo = [sys.executable, "-m", "ordo.cli"]
    subprocess.run([*ordo, "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*ordo, "serve", "--port", str(port), *flags], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        workers = [c for c in children(server.pid) if "ordo.cli worker" in c]
        assert len(workers) == (0 if flags else 1)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert children(server.pid) == []


def test_the_embedded_worker_exits_when_serve_is_killed(tmp_path):
    """Finding: ``ordo serve`` killed with SIGKILL left its worker running (old code, old settings),
    one more after every crash and restart."""
    env = {k: v for k, v in os.environ.items() if k != "ORDO_DATABASE_URL"}
    env.update({"ORDO_VAR_DIR": str(tmp_path), "ORDO_LOG_LEVEL": "ERROR"})
    ordo = [sys.executable, "-m", "ordo.cli"]
    subprocess.run([*ordo, "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([*ordo, "serve", "--port", str(free_port())], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    worker = None
    while worker is None:
        assert time.monotonic() < deadline, "the worker did not start"
        found = subprocess.run(
            ["pgrep", "-P", str(server.pid), "-f", "ordo.cli worker"], capture_output=True, text=True
        )
        worker = int(found.stdout.split()[0]) if found.stdout.strip() else None
        time.sleep(0.1)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 20
    while os.path.exists(f"/proc/{worker}") and not _zombie(worker):
        assert time.monotonic() < deadline, "the worker outlived ordo serve"
        time.sleep(0.1)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True
