"""A wall-clock deadline for a whole HTTP attempt: connect, status line, headers and body.

Socket timeouts apply per read, so a server that sends one byte every few seconds (headers included) never trips
them. Each attempt gets a `Deadline`; the connection classes below register themselves with the deadline of the
attempt running on their thread, and when it expires a timer shuts their socket down, which ends any blocked read
at once. Mounted on a requests session by `mount_deadline_adapter`.
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
        self._connection: HTTPConnection | None = None
        self.expired = False

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            expired = self.expired
        if expired:
            _shutdown(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            connection = self._connection
        if connection is not None:
            _shutdown(connection)


def _shutdown(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
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


def _register(connection: HTTPConnection) -> None:
    deadline: Deadline | None = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(connection)


class _DeadlineHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _DeadlineHTTPSConnection(HTTPSConnection):
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
