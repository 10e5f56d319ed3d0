"""A mail server of the test's own on a free port: it answers like an SMTP server, or it accepts
connections and never says a word (a hung server), and it can be switched between the two."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class SmtpSink:
    hung: bool = False
    messages: list[bytes] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)
    received: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = int(self._listener.getsockname()[1])
        self._held: list[socket.socket] = []
        self._stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connected.set()
            if self.hung:
                self._held.append(conn)  # never answered, never closed until stop()
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 sink ready\r\n")
            while line := lines.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 sink\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    body = b""
                    while (chunk := lines.readline()) not in (b".\r\n", b""):
                        body += chunk
                    self.messages.append(body)
                    conn.sendall(b"250 queued\r\n")
                    self.received.set()
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def stop(self) -> None:
        self._stopping = True
        self._listener.close()
        for conn in self._held:
            conn.close()
