"""HTTP/1.1 over raw sockets: the load clients' side of the conversation, and nothing more.

Raw sockets rather than an HTTP library so that a client costs little CPU next to the server
it measures, on the same machine.
"""

from __future__ import annotations

import contextlib
import socket

HOST = "127.0.0.1"  # where bench servers bind; never printed


def connect(port: int, timeout: float = 60) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _recv_more(sock: socket.socket, buf: bytes) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("connection closed mid-response")
    return buf + chunk


def _read_chunked(sock: socket.socket, rest: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        while b"\r\n" not in rest:
            rest = _recv_more(sock, rest)
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(rest) < size + 2:
            rest = _recv_more(sock, rest)
        body, rest = body + rest[:size], rest[size + 2 :]
        if size == 0:
            return body, rest


def read_response(sock: socket.socket, buf: bytes) -> tuple[int, bool, bytes, bytes]:
    """(status, server closes, body, bytes left over) for one HTTP/1.1 response."""
    while b"\r\n\r\n" not in buf:
        buf = _recv_more(sock, buf)
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    close = headers.get(b"connection") == b"close" or lines[0].startswith(b"HTTP/1.0")
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        body, rest = _read_chunked(sock, rest)
        return status, close, body, rest
    if b"content-length" not in headers:  # the body runs to the end of the connection
        with contextlib.suppress(ConnectionError):
            while True:
                rest = _recv_more(sock, rest)
        return status, True, rest, b""
    length = int(headers[b"content-length"])
    while len(rest) < length:
        rest = _recv_more(sock, rest)
    return status, close, rest[:length], rest[length:]


def get_status(port: int, path: str, timeout: float = 60) -> int:
    with connect(port, timeout) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        return read_response(sock, b"")[0]
