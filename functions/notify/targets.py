"""Where the app may send robot and webhook calls, and the one way it sends them.

A target must be https to a public address: no SSRF into the VPC, the metadata service, the Lambda
runtime or the loopback. Locally, and only locally, loopback http is allowed so a developer's sink
can receive them. The name is resolved once per call and the connection goes to the address that
was checked (no second lookup a short-TTL name could answer differently); redirects are never
followed. Addresses that wrap IPv4 (mapped, 6to4, Teredo, NAT64) are judged by the IPv4 inside.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from functions import config

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeTarget(ValueError):
    """A URL the app must not call, with the reason in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _inner(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.sixtofour:
            return address.sixtofour
        if address.teredo:
            return address.teredo[1]
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def resolve(url: str) -> tuple[Any, str]:
    """The URL's parts and the one address to connect to; UnsafeTarget unless it may be called."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("地址格式不正确", "malformed URL") from exc
    local = config.STAGE == "local"
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise UnsafeTarget("须为 https 地址", "must be an https URL")
    if not parts.hostname or parts.username or parts.password or parts.fragment or any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeTarget("地址不完整、含账号密码或非法字符", "incomplete URL, credentials, a fragment or invalid characters in it")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget("域名无法解析", "the host name does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in map(_inner, addresses):
        if address.is_loopback and local:
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget("不能指向内网、本机或链路本地地址", "must not point at a private, loopback or link-local address")
    if parts.scheme == "http" and not all(_inner(a).is_loopback for a in addresses):
        raise UnsafeTarget("http 仅限本机开发", "http is for loopback development only")
    return parts, str(addresses[0])


def check(url: str) -> None:
    """Raise UnsafeTarget unless `url` may be called (when it is saved)."""
    resolve(url)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST to a checked address, TLS verified against the name; no redirects. (status, body)."""
    parts, address = resolve(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPS(parts.hostname, address, parts.port or 443, timeout)
    else:
        connection = http.client.HTTPConnection(address, parts.port or 80, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers={"Host": parts.netloc, **headers})
        answer = connection.getresponse()
        return answer.status, answer.read(65536)
    finally:
        connection.close()


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with SNI and certificate checks for the name."""

    def __init__(self, hostname: str, address: str, port: int, timeout: float) -> None:
        super().__init__(hostname, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
