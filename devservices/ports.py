"""Free TCP ports on the loopback interface, for services started by tests and `make dev`."""

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """Ask the kernel for `count` distinct free ports (held open together so none repeats)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
