"""Download a host's calendar safely (standard library only; no Flask, no database).

A calendar address is typed by a host, so the server must not become a way into its own network
(server-side request forgery): only http and https; the host name is resolved here and every
address must be public (loopback, private, link-local, shared, multicast and reserved ranges are
refused unless ``allow_private``); the connection goes to the address that was checked (no second
lookup a DNS rebinding could change); each redirect hop is checked again, at most
``max_redirects`` of them. One deadline covers the whole exchange — the name look-up, connecting,
TLS, the status line, every header, the body and every redirect hop: each read on the socket
gets only what is left of it, as a socket timeout alone restarts at every byte (a server sending
one header line a second held a sync 40 s past a 10 s timeout). The body is read in pieces and
abandoned past ``max_bytes``. ETag and Last-Modified make the request conditional: a 304 says
the calendar has not changed.

Errors are ``FetchError`` with a short sentence for the host (an English msgid marked with a local
no-op ``_l``; ``params`` fill it; the caller translates).
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import queue
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 3
USER_AGENT = "Spaces-CalendarImport/1.0 (+https://github.com/spaces-marketplace; busy times only)"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def _l(message: str) -> str:
    """Mark a message for translation; the service translates it (this module stays Flask-free)."""
    return message


class FetchError(Exception):
    """The calendar could not be downloaded; ``str(error)`` is the English sentence."""

    def __init__(self, message: str, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Fetched:
    """A download: ``text`` is None when the server said 304 Not Modified."""

    url: str
    text: str | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.text is None


def check_url_shape(url: str) -> None:
    """Raise FetchError unless ``url`` is an absolute http(s) address with a host name."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise FetchError(_l("This is not a valid web address.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(_l("Only http:// and https:// addresses can be imported."))
    if not parts.hostname:
        raise FetchError(_l("The address has no host name."))
    if parts.username or parts.password:
        raise FetchError(_l("Addresses with a user name or password are not supported."))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known prefix: the IPv4 is the last 32 bits
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # local-use: a private network's own NAT64
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d (deprecated, still routed by some)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (mapped, NAT64, 6to4, Teredo, compatible)."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the relay and the client behind it
    return []


def is_public(address: str) -> bool:
    """Whether an IP address is on the public Internet (not loopback, private, reserved...).

    An IPv6 address that carries an IPv4 one (``::ffff:a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``,
    6to4 ``2002:AABB:CCDD::``, Teredo, ``::a.b.c.d``) is judged by that IPv4 address too, as the
    packets end up there; a local-use NAT64 prefix is a private network's by definition.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded:
            if not all(v4.is_global and not v4.is_multicast for v4 in embedded):
                return False
            if ip.ipv4_mapped is not None or ip in _NAT64 or ip in _IPV4_COMPATIBLE:
                return True  # the IPv4 address is where the connection goes
    return ip.is_global and not ip.is_multicast


LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def refuse_unless_loopback(host: str) -> None:
    """Tests and closed networks: only this machine may be reached, checked without any DNS."""
    try:
        is_loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        is_loopback = host.lower() in LOOPBACK_NAMES
    if not is_loopback:
        raise FetchError(
            _l("Only this machine's addresses may be fetched here (%(host)s)."), host=host
        )


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The host's addresses, all of them allowed; raises FetchError otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_l("The host name %(host)s could not be found."), host=host) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(_l("The host name %(host)s could not be found."), host=host)
    if not allow_private and not all(is_public(a) for a in addresses):
        raise FetchError(
            _l("%(host)s is a local or private network address: calendar imports cannot reach it."),
            host=host,
        )
    return addresses


class _Deadline:
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

    def __init__(self, sock, deadline: _Deadline):
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

    def __init__(self, sock, deadline: _Deadline):
        self._sock, self._deadline = sock, deadline

    def sendall(self, data) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, while speaking to ``host`` (Host header)."""

    def __init__(self, host, port, address, deadline: _Deadline):
        super().__init__(host, port, timeout=deadline.left())
        self._address = address
        self._deadline = deadline

    def _open(self) -> socket.socket:
        return socket.create_connection((self._address, self.port), self._deadline.left())

    def connect(self):
        self.sock = _DeadlineSocket(self._open(), self._deadline)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """TLS to a checked address, verifying the certificate against the host name (SNI too)."""

    def __init__(self, host, port, address, deadline: _Deadline):
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


def _resolve_within(host: str, port: int, allow_private: bool, deadline: _Deadline) -> list[str]:
    """``resolve`` bounded by the deadline (the system's look-up has no timeout of its own; a
    look-up that overruns is left to finish in its thread, its answer unused)."""
    answer: queue.Queue = queue.Queue(maxsize=1)

    def look_up() -> None:
        try:
            answer.put((resolve(host, port, allow_private), None))
        except BaseException as error:  # handed to the caller below
            answer.put((None, error))

    threading.Thread(target=look_up, name="calendar-dns", daemon=True).start()
    try:
        addresses, error = answer.get(timeout=deadline.left())
    except queue.Empty:
        raise deadline.error() from None
    if error is not None:
        raise error
    return addresses


def fetch_calendar(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    allow_private: bool = False,
    user_agent: str = USER_AGENT,
    loopback_only: bool = False,
) -> Fetched:
    """GET a calendar, following at most ``max_redirects`` redirects, each hop checked.

    Returns the text (or ``text=None`` on 304) with the validators to send next time; raises
    FetchError with a sentence for the host on any failure.
    """
    deadline = _Deadline(timeout)
    seen: list[str] = []
    current = url.strip()
    while True:
        check_url_shape(current)
        if loopback_only:
            refuse_unless_loopback(urlsplit(current).hostname or "")
        if current in seen:
            raise FetchError(_l("The address redirects in a loop."))
        seen.append(current)
        status, headers, response, connection = _request(
            current, etag, last_modified, deadline, allow_private, user_agent
        )
        try:
            if status in REDIRECTS:
                location = headers.get("Location")
                if not location:
                    raise FetchError(_l("The server redirected without saying where to."))
                if len(seen) > max_redirects:
                    raise FetchError(
                        _l("The address redirects more than %(n)s times."), n=max_redirects
                    )
                current = urljoin(current, location.strip())
                continue
            if status == 304:
                return Fetched(current, None, etag, last_modified)
            if status != 200:
                raise _status_error(status)
            body = _read_body(response, headers, deadline, max_bytes, connection)
        finally:
            connection.close()
        text = _decode(body, headers.get("Content-Type", ""))
        return Fetched(
            current,
            text,
            etag=headers.get("ETag") or None,
            last_modified=headers.get("Last-Modified") or None,
        )


def _request(url, etag, last_modified, deadline, allow_private, user_agent):
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    host = parts.hostname
    port = parts.port or (443 if https else 80)
    addresses = _resolve_within(host, port, allow_private, deadline)
    # Non-ASCII letters (calendrier-été.ics) are percent-encoded; what is already encoded stays.
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path = f"{path}?{quote(parts.query, safe=_PATH_SAFE + '?')}"
    headers = {
        "User-Agent": user_agent,
        "Accept": "text/calendar, text/plain;q=0.8, */*;q=0.5",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    last_error: FetchError | None = None
    for address in addresses:
        connection = connection_class(host, port, address, deadline)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response, connection
        except FetchError:
            connection.close()
            raise
        except TimeoutError:
            connection.close()
            raise deadline.error() from None
        except ssl.SSLCertVerificationError:
            connection.close()
            raise FetchError(
                _l("The secure connection to %(host)s failed: its certificate is not valid."),
                host=host,
            ) from None
        except ssl.SSLError:
            connection.close()
            raise FetchError(_l("The secure connection to %(host)s failed."), host=host) from None
        except (OSError, http.client.HTTPException):
            connection.close()
            last_error = FetchError(_l("Could not connect to %(host)s."), host=host)
    raise last_error or FetchError(_l("Could not connect to %(host)s."), host=host)


def _status_error(status: int) -> FetchError:
    if status in (404, 410):
        return FetchError(
            _l("No calendar was found at this address (HTTP %(status)s)."), status=status
        )
    if status in (401, 403):
        return FetchError(
            _l(
                "The calendar server refused access (HTTP %(status)s): use the calendar's "
                "public or secret iCal address."
            ),
            status=status,
        )
    return FetchError(
        _l("The calendar server answered with an error (HTTP %(status)s)."), status=status
    )


def _too_large(max_bytes: int) -> FetchError:
    return FetchError(
        _l("The calendar is larger than %(size)s MB."), size=f"{max_bytes / (1024 * 1024):g}"
    )


def _read_body(response, headers, deadline: _Deadline, max_bytes: int, connection) -> bytes:
    length = headers.get("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)
    pieces: list[bytes] = []
    size = 0
    try:
        while True:
            deadline.left()
            piece = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
            if not piece:
                break
            size += len(piece)
            if size > max_bytes:
                raise _too_large(max_bytes)
            pieces.append(piece)
    except TimeoutError:
        raise deadline.error() from None
    except (OSError, http.client.HTTPException):
        raise FetchError(_l("The download of the calendar was interrupted.")) from None
    return b"".join(pieces)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    if body.startswith(b"\xef\xbb\xbf"):
        body, charset = body[3:], "utf-8"
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")
