"""A stand-in for Greenhouse on loopback: it records every PATCH StageFit sends to a test's
`url` and answers with the statuses it is told (e.g. 500, 500, then 200)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandIn:
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once used up
    calls: list[dict[str, str]] = field(default_factory=list)  # method, path, headers, body
    url: str = ""


@contextmanager
def greenhouse_stand_in(statuses: list[int] | None = None) -> Iterator[StandIn]:
    stand_in = StandIn(statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_PATCH(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            stand_in.calls.append(
                {
                    "method": "PATCH",
                    "path": self.path,
                    "authorization": self.headers.get("authorization", ""),
                    "body": body,
                }
            )
            status = stand_in.statuses.pop(0) if stand_in.statuses else 200
            payload = b"{}" if status < 300 else b'{"errors": ["try again"]}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
