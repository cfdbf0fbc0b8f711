"""A webhook receiver on loopback for tests: a real HTTP server (the standard library's, so
nothing of StageFit's stack is involved) that records every request, checks its signature
with the Standard Webhooks reference library, and answers as the test says.

    with Receiver() as receiver:                 # receiver.url to register as the endpoint
        receiver.trust(endpoint.secret)          # the secret to verify signatures with
        receiver.answer = 503                    # every request answered 503 from now on
        receiver.hold_first = True               # the first request waits for receiver.release()
        receiver.wait_for(3)                     # until 3 requests arrived (or AssertionError)
        receiver.requests[0].event               # the parsed body; .verified, .headers
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender killed mid-request (the crash tests) is expected here


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str | None
    at: float = field(default_factory=time.monotonic)

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.verifier: Webhook | None = None
        self.requests: list[Received] = []
        self.answer = 200
        self.answer_headers: dict[str, str] = {}
        self.hold_first = False
        self.held = threading.Event()  # set when a held request has arrived
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.server = _QuietServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)

    def trust(self, secret: str) -> None:
        self.verifier = Webhook(secret)

    def release(self) -> None:
        self._release.set()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.requests)} of {count} webhooks arrived")
                self._arrived.wait(left)
            return list(self.requests)

    def ids(self) -> list[str]:
        with self._lock:
            return [r.webhook_id for r in self.requests]

    def _record(self, headers: dict[str, str], body: bytes) -> tuple[int, bool]:
        try:
            assert self.verifier is not None, "call trust(secret) first"
            self.verifier.verify(body, headers)
            verified, error = True, None
        except Exception as exc:  # the reference library's verdict, whatever its type
            verified, error = False, f"{type(exc).__name__}: {exc}"
        with self._arrived:
            hold = self.hold_first and not self.held.is_set()
            if hold:
                self.held.set()
            self.requests.append(Received(headers, body, verified, error))
            self._arrived.notify_all()
            return self.answer, hold

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died mid-request (the crash tests kill it so): no delivery.
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, hold = receiver._record(headers, body)
                if hold:
                    receiver._release.wait(60)
                self.send_response(status)
                for name, value in receiver.answer_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler
