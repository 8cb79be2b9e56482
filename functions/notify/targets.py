"""Where the app may send robot and webhook calls: https, to a public address (no SSRF into the VPC,
the metadata service or the loopback). Locally, and only locally, loopback http is allowed so a
developer's sink can receive them. Checked when a URL is saved and again before each call, since a
name can come to resolve elsewhere."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from functions import config


class UnsafeTarget(ValueError):
    """A URL the app must not call, with the reason in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def check(url: str) -> None:
    """Raise UnsafeTarget unless `url` may be called."""
    parts = urlsplit(url)
    local = config.STAGE == "local"
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise UnsafeTarget("须为 https 地址", "must be an https URL")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeTarget("地址不完整或含账号密码", "incomplete URL, or credentials in it")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget("域名无法解析", "the host name does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback and local:
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget(f"不能指向内网、本机或链路本地地址（{address}）",
                               f"must not point at a private, loopback or link-local address ({address})")
    if parts.scheme == "http" and not all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos):
        raise UnsafeTarget("http 仅限本机开发", "http is for loopback development only")
