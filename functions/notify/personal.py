"""SMS and email to the people who chose them (`/v1/me/notification-settings`).

In AWS, SMS goes through Amazon SNS and email through SES, where the deployment turns them on
(`SMS_ENABLED`, `EMAIL_FROM`); locally through the sink, so nothing leaves the machine. Quiet hours
(the tenant's `quiet_hours`, 22:00–07:00 by default) hold a non-urgent SMS until they end.
"""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime, time as clock, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions import config
from functions.notify.catalogue import label, outside_title
from functions.tenancy import TenantContext

DEFAULT_QUIET = {"from": "22:00", "to": "07:00"}


def configured(channel: str) -> bool:
    if channel == "sms":
        return config.SMS_ENABLED or bool(config.SMS_SINK_URL)
    return bool(config.EMAIL_FROM or config.EMAIL_SINK_URL)


def quiet_until(ctx: TenantContext, now: datetime) -> datetime | None:
    """When the quiet hours around `now` end, or None if `now` is not in them."""
    zone = ZoneInfo(ctx.timezone)
    window = ctx.settings.get("quiet_hours") or DEFAULT_QUIET
    start, end = (clock.fromisoformat(window["from"]), clock.fromisoformat(window["to"]))
    local = now.astimezone(zone)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() + (timedelta(days=1) if start > end and t >= start else timedelta(0))
    return datetime.combine(day, end, zone)


def text(event: dict[str, Any]) -> str:
    """A short message: what happened, about what, and where to look."""
    return f"【共建】{label(event['kind']).split(' / ')[0]}：{outside_title(event)}（{config.CONSOLE_URL}/#{event.get('link') or ''}）"


def send(channel: str, user: dict[str, Any], event: dict[str, Any]) -> tuple[bool, str]:
    """Send one SMS or email; (sent, what happened)."""
    body = text(event)
    try:
        if channel == "sms":
            if config.SMS_ENABLED:
                from functions import aws

                aws.client("sns").publish(PhoneNumber=_e164(user["phone"]), Message=body)
                return True, "SNS accepted"
            return _to_sink(config.SMS_SINK_URL, {"to": user["phone"], "text": body})
        if config.EMAIL_FROM:
            from functions import aws

            aws.client("ses").send_email(Source=config.EMAIL_FROM, Destination={"ToAddresses": [user["email"]]},
                                         Message={"Subject": {"Data": body[:60], "Charset": "UTF-8"},
                                                  "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}})
            return True, "SES accepted"
        return _to_sink(config.EMAIL_SINK_URL, {"to": user["email"], "subject": body[:60], "text": body})
    except Exception as exc:  # a channel's failure is recorded, never raised into the worker's other channels
        return False, type(exc).__name__


def _e164(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return digits if digits.startswith("+") else f"+86{digits}"


def _to_sink(url: str | None, payload: dict[str, Any]) -> tuple[bool, str]:
    assert url is not None
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (the local sink, from config)
        return True, f"HTTP {answer.status}"


def masked(channel: str, user: dict[str, Any]) -> str:
    if channel == "sms":
        phone = user.get("phone") or ""
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
    email = user.get("email") or ""
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"
