"""``ordo serve``: gunicorn in-process, serving the WSGI app (static files through whitenoise)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from ordo.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4, with_worker: bool = True) -> None:
    """Serve until stopped. ``with_worker`` runs one ``ordo worker`` beside the web processes — a
    child process rather than a thread, because gunicorn forks its web workers from this one."""
    print(f"Ordo serving on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)", flush=True)
    worker = [sys.executable, "-m", "ordo.cli", "worker", "--parent", str(os.getpid())]
    # The worker stops when this process dies, even by SIGKILL (see Worker's ``parent``).
    background = subprocess.Popen(worker) if with_worker else None
    try:
        _run(host=host, port=port, workers=workers, threads=threads)
    finally:
        if background is not None:
            background.send_signal(signal.SIGTERM)
            try:
                background.wait(timeout=20)
            except subprocess.TimeoutExpired:
                background.kill()


def _web_process_ready(_process: Any) -> None:
    """Each web process copies SQLite's write-ahead log back on a thread of its own rather than
    in the commit of whichever request fills it (ordo/sqlite/checkpoint.py)."""
    from django.db import connection

    from ordo.sqlite import checkpoint

    checkpoint.start_for(connection)


def _run(*, host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "control_socket_disable": True,
            "accesslog": "-",
            "graceful_timeout": 10,
            "post_worker_init": _web_process_ready,
        }
    ).run()
