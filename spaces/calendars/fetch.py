"""Download a host's calendar safely (standard library only; no Flask, no database).

``fetch_calendar`` GETs an http(s) address that ``addresses`` allows, over a connection pinned to
the address that was checked, within one ``connection.Deadline`` for the whole exchange. Each
redirect hop is checked again, at most ``max_redirects`` of them, and a loop is refused. The body is
read in pieces and abandoned past ``max_bytes``, then decoded with the declared charset (UTF-8
otherwise; a byte-order mark wins). ETag and Last-Modified make the request conditional: a 304
says the calendar has not changed.

Errors are ``FetchError`` (``spaces.calendars.errors``) with a short sentence for the host.
"""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from spaces.calendars.addresses import check_url_shape, refuse_unless_loopback, resolve_within
from spaces.calendars.connection import Deadline, PinnedHTTPConnection, PinnedHTTPSConnection
from spaces.calendars.errors import FetchError, _l

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 3
USER_AGENT = "Spaces-CalendarImport/1.0 (+https://github.com/spaces-marketplace; busy times only)"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


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
    deadline = Deadline(timeout)
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
    addresses = resolve_within(host, port, allow_private, deadline)
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
    connection_class = PinnedHTTPSConnection if https else PinnedHTTPConnection
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


def _read_body(response, headers, deadline: Deadline, max_bytes: int, connection) -> bytes:
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
