"""Where a webhook may go: guarding against server-side request forgery (SSRF).

A webhook URL is chosen by an organisation's admin or API client, and the worker runs inside
the operator's network: without a guard, `http://169.254.169.254/…` or `http://10.0.0.5/admin`
would make StageFit POST into places its users should not reach. With private addresses not
allowed (the default in production, STAGEFIT_WEBHOOK_ALLOW_PRIVATE), the host is resolved
once, every address must be public, and the request is sent to that very address (the URL's
host kept in the Host header and as the TLS server name), so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx


class BlockedAddress(Exception):
    """The URL leads to an address webhooks may not go to."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        # A name that does not resolve now may resolve later: a failure, retried.
        raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def pinned_request(
    client: httpx.Client,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    allow_private: bool,
) -> httpx.Request:
    """A POST of `content` to `url`; unless `allow_private`, sent to a checked public address
    of its host (raises BlockedAddress otherwise)."""
    if allow_private:
        return client.build_request("POST", url, content=content, headers=headers)
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    addresses = resolve(host, parts.port or (443 if https else 80))
    blocked = [a for a in addresses if not is_public(a)]
    if blocked or not addresses:
        raise BlockedAddress(
            f"{host} leads to {blocked[0] if blocked else 'no address'}, which is not a public "
            "address; webhooks go to public addresses only (STAGEFIT_WEBHOOK_ALLOW_PRIVATE)"
        )
    pinned = httpx.URL(url).copy_with(host=addresses[0])
    # The Host header names the site, as it would without pinning (port kept when given).
    bracketed = f"[{host}]" if ":" in host else host
    site = bracketed if parts.port is None else f"{bracketed}:{parts.port}"
    extra = {"host": site}
    if https:
        # A pooled TLS connection belongs to the address, not the name: no reuse across names.
        extra["connection"] = "close"
    request = client.build_request("POST", pinned, content=content, headers={**headers, **extra})
    if https:
        request.extensions["sni_hostname"] = host  # certificate checked against the name
    return request
