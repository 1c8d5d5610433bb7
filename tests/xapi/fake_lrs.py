"""An LRS stand-in on 127.0.0.1 for the delivery tests and the benchmark.

It answers every POST to ``/xAPI/statements`` with ``answer(statements)`` (a status code;
200 by default), keeps what it was sent (unless ``keep=False``: then it only counts, the
"null LRS" of the benchmark), and can be told to hang.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLRS:
    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep
        self.received: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # headers and size of each POST
        self.count = 0
        self.answer: Callable[[list[dict[str, Any]]], int] = lambda _statements: 200
        self.delay = 0.0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real LRS

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if fake.delay:
                    time.sleep(fake.delay)
                status = fake.handle(self.path, dict(self.headers), body)
                reply = b"[]" if status < 300 else b'{"detail": "refused"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                # The client may have given up waiting (a timeout test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        if not self.keep:
            with self.lock:
                self.count += body.count(b'"actor"')
            return 200
        statements = json.loads(body)
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "size": len(statements)})
        status = self.answer(statements)
        if 200 <= status < 300:
            with self.lock:
                self.received += statements
                self.count += len(statements)
        return status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"

    def endpoint(self, name: str = "fake") -> dict[str, str]:
        return {"name": name, "url": self.url, "username": "lms", "password": "secret"}

    def start(self) -> FakeLRS:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
