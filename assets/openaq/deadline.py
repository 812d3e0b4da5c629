"""A wall-clock deadline for a whole HTTP attempt: connect, status line, headers and body.

Socket timeouts apply per read, so a server that sends one byte every few seconds (headers included) never trips
them. Each attempt gets a `Deadline`; the connection classes below register their socket with the deadline of the
attempt running on their thread (a reused one when the request is sent, a new one as soon as it is connected), and
when it expires a timer shuts those sockets down, which ends any blocked read at once. The socket itself is held,
not the connection: with `Connection: close` or HTTP/1.0, http.client hands the socket to the response and the
connection forgets it once the headers are in, so a deadline that asked the connection would find nothing to cut
while the body trickles. Mounted on a requests session by `mount_deadline_adapter`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_CURRENT = threading.local()


class Deadline:
    """One attempt's deadline; `expired` tells afterwards whether it cut the attempt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expired = False

    def watch(self, sock: socket.socket | None) -> None:
        """Cut `sock` when the deadline passes (at once if it has already passed)."""
        if sock is None:
            return
        with self._lock:
            if not any(known is sock for known in self._sockets):
                self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def attempt_deadline(seconds: float) -> Iterator[Deadline]:
    """Arm a deadline for the HTTP attempt made on this thread inside the block."""
    deadline = Deadline()
    timer = threading.Timer(max(seconds, 0.0), deadline.expire)
    timer.daemon = True
    previous = getattr(_CURRENT, "deadline", None)
    _CURRENT.deadline = deadline
    timer.start()
    try:
        yield deadline
    finally:
        timer.cancel()
        _CURRENT.deadline = previous


def _watch(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


def _register(connection: HTTPConnection) -> None:
    _watch(getattr(connection, "sock", None))


class _DeadlineHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)  # a new socket: watched before a byte of the request (or the TLS handshake) is sent
        return sock

    def connect(self) -> None:
        super().connect()
        _register(self)  # https: the socket wrapped in TLS is a new object

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)  # a kept-alive socket from the pool
        super().request(*args, **kwargs)


class _DeadlineHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def connect(self) -> None:
        super().connect()
        _register(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


def mount_deadline_adapter(session: requests.Session, max_workers: int) -> None:
    """Both schemes of `session` go through pools whose connections honour `attempt_deadline`."""
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max_workers, max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}
    session.mount("http://", adapter)
    session.mount("https://", adapter)
