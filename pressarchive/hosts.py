"""Which hosts a crawl may reach: public ones, unless the registry says otherwise.

A press room lives on the public internet. A registry entry (or a redirect)
pointing at loopback, a private network, link-local (169.254.169.254, the
cloud metadata service) or another special range is refused, in every
spelling an HTTP client accepts for an IPv4 address (2130706433,
0x7f000001, 127.1). Names are not resolved here: a public name that resolves
to a private address is not caught (that needs the resolver's answer).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` spells, in any form inet_aton accepts, else None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def private_host_reason(host: str) -> str | None:
    """Why `host` is not a public host, or None when it is."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name:
        return "no host"
    if name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES):
        return "a local host name"
    address = literal_address(name)
    if address is None:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if not address.is_global:
        return "a private or reserved address"
    return None


def url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why a crawl must not fetch `url`, or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https"):
        return "not http(s)"
    if not host:
        return "no host"
    reason = private_host_reason(host)
    # link-local is the cloud metadata service, never a press room: refused even
    # where a registry allows private hosts
    if reason and (not allow_private or reason == "a link-local address"):
        return f"{host} is {reason}"
    return None
