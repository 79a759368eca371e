"""Local peers for tests: free ports and an HTTP server that records requests and answers as told."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpPeer:
    """A local HTTP server recording requests and answering with ``self.reply(path, body)``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply = lambda path, body: (200, {})
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                peer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, answer = peer.reply(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forms(self) -> list[dict[str, str]]:
        return [{k: v[0] for k, v in parse_qs(r["body"].decode()).items()} for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
