"""The identity provider kept in step with the user directory: Cognito's admin calls in AWS.

The directory's record is the source of truth (the pre-token trigger builds every token's claims from
it and refuses a disabled user); these calls make Cognito agree: a user is created with an
invitation by SMS or email, disabling also signs them out everywhere (their refresh tokens stop
working), enabling lets them sign in again. Each call is made before the record is written and undone
if that write fails, so the two never disagree for long. Without a user pool (locally) they do nothing.
"""
from __future__ import annotations

from typing import Any

from functions import aws, config
from functions.errors import Conflict, FieldError, NotFound, ServiceUnavailable, Text, Unprocessable


def enabled() -> bool:
    return bool(config.USER_POOL_ID)


def _call(operation: str, **params: Any) -> Any:
    """One admin call; Cognito's refusals as our problems (a clash 409, bad contact details 422,
    anything else 503) rather than a 500."""
    from botocore.exceptions import ClientError

    try:
        return getattr(aws.client("cognito-idp"), operation)(UserPoolId=config.USER_POOL_ID, **params)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "UserNotFoundException":
            raise NotFound(Text("登录账号不存在", "No such sign-in account")) from exc
        if code == "UsernameExistsException":
            raise Conflict(Text("登录账号已存在", "The sign-in account exists already")) from exc
        if code in ("InvalidParameterException", "AliasExistsException"):
            raise Unprocessable(errors=[FieldError("/phone", Text("手机号或电子邮箱无法用于登录邀请",
                                                                   "The mobile number or email cannot be used to invite"))]) from exc
        raise ServiceUnavailable(Text("身份服务暂不可用，请稍后重试", "The identity service is unavailable, retry shortly"),
                                 headers={"Retry-After": "5"}) from exc


def _attributes(user: dict[str, Any]) -> list[dict[str, str]]:
    attributes = []
    if user.get("phone"):
        attributes += [{"Name": "phone_number", "Value": e164(user["phone"])},
                       {"Name": "phone_number_verified", "Value": "true"}]
    if user.get("email"):
        attributes += [{"Name": "email", "Value": user["email"]}, {"Name": "email_verified", "Value": "true"}]
    return attributes


def e164(phone: str) -> str:
    """A mainland mobile number as Cognito stores phone numbers (+86…)."""
    digits = phone.removeprefix("+86")
    return f"+86{digits}"


def invite(tenant: str, user_id: str, user: dict[str, Any]) -> None:
    """Create the Cognito user (username = our user id, `custom:tenant`), its invitation held back
    until the record is written (`send_invitation`): nobody gets a password for an account that
    was then refused."""
    if enabled():
        _call("admin_create_user", Username=user_id, MessageAction="SUPPRESS",
              UserAttributes=[{"Name": "custom:tenant", "Value": tenant}, *_attributes(user)])


def send_invitation(tenant: str, user_id: str, user: dict[str, Any]) -> None:
    """The invitation (a temporary password) by SMS and/or email, to the user `invite` made (the same
    attributes again, so the account reads the same whichever call a provider honours)."""
    if enabled():
        media = [m for m, field in (("SMS", "phone"), ("EMAIL", "email")) if user.get(field)]
        _call("admin_create_user", Username=user_id, MessageAction="RESEND", DesiredDeliveryMediums=media or ["EMAIL"],
              UserAttributes=[{"Name": "custom:tenant", "Value": tenant}, *_attributes(user)])


def forget(user_id: str) -> None:
    """Delete the Cognito user: undoing `invite` after the record could not be written, or a district
    leaving (its people's phone numbers and emails go with it). One already gone is fine."""
    if enabled():
        try:
            _call("admin_delete_user", Username=user_id)
        except NotFound:
            pass


def disable(user_id: str) -> None:
    """No new sign-ins, and every refresh token revoked; access tokens lapse within their lifetime."""
    if enabled():
        _call("admin_disable_user", Username=user_id)
        _call("admin_user_global_sign_out", Username=user_id)


def enable(user_id: str) -> None:
    if enabled():
        _call("admin_enable_user", Username=user_id)


def update_contact(user_id: str, user: dict[str, Any]) -> None:
    if enabled() and _attributes(user):
        _call("admin_update_user_attributes", Username=user_id, UserAttributes=_attributes(user))
