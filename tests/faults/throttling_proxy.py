"""An HTTP proxy in front of a real S3 store that answers some methods with 503 SlowDown, as a throttling S3 does.

Every other request is forwarded unchanged (the Host header too, so SigV4 signatures stay valid), so the store is
plainly up: only the throttled requests fail.
"""

import contextlib
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOWDOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def _handler(upstream: tuple[str, int], throttled: frozenset[str], counts: dict[str, int]) -> type:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            counts[self.command] = counts.get(self.command, 0) + 1
            if self.command in throttled:
                self._answer(503, [("Content-Type", "application/xml")], SLOWDOWN)
                return
            connection = http.client.HTTPConnection(*upstream, timeout=30)
            try:
                connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                response = connection.getresponse()
                data = response.read()
                headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
                self._answer(response.status, headers, data)
            finally:
                connection.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _relay

        def log_message(self, *args: object) -> None:
            pass

    return Proxy


@contextlib.contextmanager
def throttling_proxy(upstream: tuple[str, int], throttled: set[str], counts: dict[str, int]) -> Iterator[str]:
    """http://127.0.0.1:PORT in front of `upstream`; requests with a method in `throttled` get 503 SlowDown.
    `counts` gathers the requests seen per method."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, frozenset(throttled), counts))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
