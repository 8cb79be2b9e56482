"""Each user's own choice of channels (`/v1/me/notification-settings`): in-app always, SMS and email
where the deployment has them and the directory has the number or address. Kept on the user's
directory record (`notification_channels`)."""
from __future__ import annotations

from typing import Any

from functions import store
from functions.errors import FieldError, Text, Unprocessable
from functions.models import PlatformTable
from functions.notify import personal
from functions.tenancy import TenantContext


def _mine(ctx: TenantContext) -> PlatformTable:
    try:
        return PlatformTable.get(ctx.key("user"), ctx.principal.sub)
    except PlatformTable.DoesNotExist as exc:
        raise store.not_found("user") from exc  # a token-only caller has no directory record to keep it on


def _view(item: PlatformTable) -> dict[str, Any]:
    user = item.fields()
    return {"channels": user.get("notification_channels", ["in_app"]),
            "sms_to": personal.masked("sms", user) if user.get("phone") else None,
            "email_to": personal.masked("email", user) if user.get("email") else None,
            "available": {"in_app": True, "sms": personal.configured("sms"), "email": personal.configured("email")},
            "version": item.version}


def get_settings(ctx: TenantContext) -> dict[str, Any]:
    return _view(_mine(ctx))


def put_settings(ctx: TenantContext, body: dict[str, Any]) -> dict[str, Any]:
    """Choose channels; SMS needs a phone number and email an address in the directory (422)."""
    item = _mine(ctx)
    user = item.fields()
    channels = sorted(set(body["channels"]) | {"in_app"})
    errors = [FieldError("/channels", Text(f"目录中没有{zh}，无法选择 {c}", f"No {en} in the directory for {c}"))
              for c, field, zh, en in (("sms", "phone", "手机号", "phone number"), ("email", "email", "邮箱", "email address"))
              if c in channels and not user.get(field)]
    if errors:
        raise Unprocessable(errors=errors)
    store.update(ctx, item, {**user, "notification_channels": channels}, body.get("version", item.version),
                 action="user.notification_settings")
    return _view(PlatformTable.get(ctx.key("user"), ctx.principal.sub))
