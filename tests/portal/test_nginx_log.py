"""The nginx error-log receiver: nginx's `client: ADDR` never reaches a written line."""

import socket
import subprocess
import sys

import pytest

from portal.nginx_log import redact_line
from tests.servers import ROOT

HANDSHAKE = (
    b"<10>Dec  2 14:10:01 nginx: 2026/12/02 14:10:01 [crit] 31#31: *7 SSL_do_handshake() failed"
    b" (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking,"
    b" client: 203.0.113.9, server: 0.0.0.0:443"
)
BODY_TIMEOUT = (
    b"<14>Dec 12 09:00:00 nginx: 2026/12/12 09:00:00 [info] 31#31: *9 client timed out"
    b" (110: Connection timed out) while reading client request body, client: 2001:db8::7,"
    b' server: tips.example.org, request: "POST /api/v1/tips/ HTTP/1.1", host: "tips.example.org"'
)


@pytest.mark.parametrize(
    ("datagram", "address"), [(HANDSHAKE, "203.0.113.9"), (BODY_TIMEOUT, "2001:db8")]
)
def test_it_removes_the_client_address_and_keeps_the_rest(datagram: bytes, address: str) -> None:
    line = redact_line(datagram)
    assert address not in line
    assert "client: [address]" in line
    assert line.startswith("2026/12/")  # the syslog header and tag go; nginx's own line stays


def test_it_writes_what_nginx_sends_without_the_address(tmp_path) -> None:
    path = tmp_path / "log.sock"
    receiver = subprocess.Popen(
        [sys.executable, "-m", "portal.nginx_log", str(path)],
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout is not None
        assert "receiver on" in receiver.stdout.readline()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.sendto(HANDSHAKE, str(path))
        line = receiver.stdout.readline()
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    assert "SSL_do_handshake() failed" in line
    assert "203.0.113.9" not in line
