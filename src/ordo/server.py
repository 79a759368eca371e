"""``ordo serve``: gunicorn in-process, serving the WSGI app (static files through whitenoise)."""

from __future__ import annotations

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


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    print(f"Ordo serving on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)", flush=True)
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "control_socket_disable": True,
            "accesslog": "-",
            "graceful_timeout": 10,
        }
    ).run()
