"""One deadline over a whole HTTP exchange, on a connection to an address checked beforehand
(standard library only; no Flask, no database).

``Deadline`` covers the name look-up, connecting, TLS, the status line, every header, the body
and every redirect hop: each read on the socket gets only what is left of it, as a socket timeout
alone restarts at every byte (a server sending one header line a second held a sync 40 s past a
10 s timeout); running out raises ``FetchError``. ``PinnedHTTPConnection`` and
``PinnedHTTPSConnection`` connect to the address they are given while speaking to the host name
(Host header; for TLS, certificate verification and SNI against the name), so nothing is looked up
a second time.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time

from spaces.calendars.errors import FetchError, _l


class Deadline:
    """A point in time ``seconds`` from now; ``left()`` raises FetchError once it has passed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise self.error()
        return remaining

    def error(self) -> FetchError:
        return FetchError(
            _l("The calendar server did not answer within %(seconds)s seconds."),
            seconds=f"{self.seconds:g}",
        )


class _DeadlineReader(io.RawIOBase):
    """Reads a socket, each read limited to what is left of the deadline. It reads through the
    socket's own file, which keeps the socket open until the response is done with it (http.client
    closes the connection as soon as the headers say ``Connection: close``)."""

    def __init__(self, sock, deadline: Deadline):
        super().__init__()
        self._sock, self._deadline = sock, deadline
        self._file = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


class _DeadlineSocket:
    """The connection's socket as http.client sees it: sending, and the file the response (status
    line, headers, body) is read from, all bounded by the one deadline."""

    def __init__(self, sock, deadline: Deadline):
        self._sock, self._deadline = sock, deadline

    def sendall(self, data) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def __getattr__(self, name):
        return getattr(self._sock, name)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, while speaking to ``host`` (Host header)."""

    def __init__(self, host, port, address, deadline: Deadline):
        super().__init__(host, port, timeout=deadline.left())
        self._address = address
        self._deadline = deadline

    def _open(self) -> socket.socket:
        return socket.create_connection((self._address, self.port), self._deadline.left())

    def connect(self):
        self.sock = _DeadlineSocket(self._open(), self._deadline)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """TLS to a checked address, verifying the certificate against the host name (SNI too)."""

    def __init__(self, host, port, address, deadline: Deadline):
        super().__init__(host, port, address, deadline)
        self._context = ssl.create_default_context()

    def _open(self) -> socket.socket:
        sock = super()._open()
        try:
            sock.settimeout(self._deadline.left())  # the handshake as a whole, not per read
            return self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
