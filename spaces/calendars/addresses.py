"""Which addresses a calendar download may reach (standard library only; no Flask, no database).

A calendar address is typed by a host, so the server must not become a way into its own network
(server-side request forgery). ``check_url_shape`` lets through only absolute http(s) addresses
with a host name and no credentials. ``resolve`` returns the host name's addresses only when every
one of them is public (loopback, private, link-local, shared, multicast and reserved ranges are
refused unless ``allow_private``), judging an IPv6 address that carries an IPv4 one by that IPv4
address too; the caller connects to one of these very addresses (no second look-up a DNS
rebinding could change). ``resolve_within`` bounds the look-up by the download's deadline.
``refuse_unless_loopback`` confines tests and closed networks to this machine without any DNS.

Every refusal is a ``FetchError`` with a sentence for the host.
"""

from __future__ import annotations

import ipaddress
import queue
import socket
import threading
from urllib.parse import urlsplit

from spaces.calendars.connection import Deadline
from spaces.calendars.errors import FetchError, _l

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


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


def resolve_within(host: str, port: int, allow_private: bool, deadline: Deadline) -> list[str]:
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
