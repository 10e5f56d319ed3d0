"""nginx's error log, with every client address removed before anything is written.

nginx appends `client: ADDR` to each error about a request (a TLS handshake that failed, a body
that stalled) and has no setting to leave it out. So the shipped configuration sends its error
log to this receiver over a local syslog socket (`error_log syslog:server=unix:PATH`), and the
receiver writes each line to stdout (the journal under systemd) through the same redaction as the
portal's own logs (`portal.logs.redact_addresses`). It imports no Django settings: it needs no
secret and no database.

    python -m portal.nginx_log /run/tipportal/nginx-log.sock
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

from portal.logs import redact_addresses

# RFC 3164 as nginx writes it: "<PRI>Mmm dd hh:mm:ss TAG: message" (nohostname: no host field).
_SYSLOG_HEADER = re.compile(rb"^<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (?:\S+ )?")


def redact_line(datagram: bytes) -> str:
    text = _SYSLOG_HEADER.sub(b"", datagram, count=1).decode(errors="replace").rstrip("\n")
    return redact_addresses(text)


def serve(path: Path) -> None:
    path.unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        receiver.bind(str(path))
        # nginx's workers run as another user than this receiver; the socket's directory (0750,
        # deploy/systemd) decides who can reach it.
        os.chmod(path, 0o666)  # noqa: S103 - see above
        print(f"nginx error log receiver on {path}", flush=True)
        while True:
            datagram = receiver.recv(65536)
            print(redact_line(datagram), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m portal.nginx_log SOCKET")
    serve(Path(sys.argv[1]))
