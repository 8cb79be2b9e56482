"""Routes for notifications: the caller's inbox (`/v1/me/notifications`), the district's group robots
(`/v1/robots`), integrators' webhook subscriptions (`/v1/webhooks`) and the delivery log
(`/v1/notification-deliveries`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from functions import lazy
from functions.api.declaration import DISTRICT_STAFF, Param, query, route
from functions.api.request import begin_write, delete_context, paging, tenant_context
from functions.tenancy import TENANT_ROLES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.notify import deliveries, notices, preferences, robots, webhooks
else:
    deliveries, notices, preferences, robots, webhooks = lazy.modules(
        "functions.notify", "deliveries", "notices", "preferences", "robots", "webhooks")

UNREAD = Param("unread", "true：只列未读 / true: unread only", "boolean")


@route(bp, "GET", "/v1/me/notifications", "我的通知 / My notifications", query=(UNREAD,), pages=True, roles=TENANT_ROLES,
       response="notification-list")
def my_notifications() -> dict[str, Any]:
    """The caller's notifications, newest first, with the unread count."""
    r = bp.current_request
    return notices.list_mine(tenant_context(r), unread=bool(query(r)["unread"]), **paging(r))


@route(bp, "POST", "/v1/me/notifications/{notification_id}/read", "标为已读 / Mark read", body="mark-read", roles=TENANT_ROLES,
       response="notification")
def read_notification(notification_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return notices.mark_read(ctx, notification_id, read=body.get("read", True))


@route(bp, "GET", "/v1/me/notification-settings", "我的通知方式 / My notification channels", roles=TENANT_ROLES,
       response="notification-settings")
def my_notification_settings() -> dict[str, Any]:
    return preferences.get_settings(tenant_context(bp.current_request))


@route(bp, "PUT", "/v1/me/notification-settings", "设置通知方式 / Choose notification channels", body="notification-settings",
       roles=TENANT_ROLES, response="notification-settings")
def set_notification_settings() -> dict[str, Any]:
    """In-app always; SMS and email where the directory has the number or address."""
    ctx, body = begin_write(bp.current_request)
    return preferences.put_settings(ctx, body)


@route(bp, "POST", "/v1/robots", "添加群机器人 / Add a group robot", body="robot", status=201, idempotent=True,
       roles=DISTRICT_STAFF, response="robot")
def create_robot() -> dict[str, Any]:
    """A 企业微信 or 钉钉 group robot for a community, street, department or the district."""
    ctx, body = begin_write(bp.current_request)
    return robots.create_robot(ctx, body)


@route(bp, "GET", "/v1/robots", "群机器人 / Group robots", roles=DISTRICT_STAFF, response="robot-list")
def list_robots() -> dict[str, Any]:
    return robots.list_robots(tenant_context(bp.current_request))


@route(bp, "GET", "/v1/robots/{robot_id}", "查看群机器人 / Get a group robot", roles=DISTRICT_STAFF, response="robot")
def get_robot(robot_id: str) -> dict[str, Any]:
    return robots.get_robot(tenant_context(bp.current_request), robot_id)


@route(bp, "PATCH", "/v1/robots/{robot_id}", "修改群机器人 / Change a group robot", body="robot#patch", roles=DISTRICT_STAFF,
       response="robot")
def update_robot(robot_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return robots.update_robot(ctx, robot_id, body)


@route(bp, "DELETE", "/v1/robots/{robot_id}", "删除群机器人 / Remove a group robot", status=204, roles=DISTRICT_STAFF)
def delete_robot(robot_id: str) -> Response:
    ctx, version = delete_context(bp.current_request)
    robots.delete_robot(ctx, robot_id, version)
    return Response(body="", status_code=204)


@route(bp, "POST", "/v1/robots/{robot_id}/test", "发送测试消息 / Send a test message", body="robot-test", status=202,
       roles=DISTRICT_STAFF, response="test-event")
def test_robot(robot_id: str) -> dict[str, Any]:
    """Queue a test message to the robot; its outcome shows in the delivery log."""
    ctx, body = begin_write(bp.current_request)
    return robots.send_test(ctx, robot_id, body.get("text"))


@route(bp, "GET", "/v1/notification-deliveries", "通知投递记录 / Notification deliveries", pages=True, roles=DISTRICT_STAFF,
       response="delivery-list")
def list_deliveries() -> dict[str, Any]:
    """Every delivery of every event: channel, target, attempts and outcome, newest first."""
    r = bp.current_request
    return deliveries.list_deliveries(tenant_context(r), **paging(r))


@route(bp, "POST", "/v1/webhooks", "添加 Webhook 订阅 / Subscribe a webhook", body="webhook", status=201, idempotent=True,
       roles=DISTRICT_STAFF, response="webhook")
def create_webhook() -> dict[str, Any]:
    """An integrator's URL and the event types it wants, signed with the secret it gives."""
    ctx, body = begin_write(bp.current_request)
    return webhooks.create_webhook(ctx, body)


@route(bp, "GET", "/v1/webhooks", "Webhook 订阅 / Webhook subscriptions", roles=DISTRICT_STAFF, response="webhook-list")
def list_webhooks() -> dict[str, Any]:
    return webhooks.list_webhooks(tenant_context(bp.current_request))


@route(bp, "GET", "/v1/webhooks/{webhook_id}", "查看 Webhook 订阅 / Get a webhook subscription", roles=DISTRICT_STAFF,
       response="webhook")
def get_webhook(webhook_id: str) -> dict[str, Any]:
    return webhooks.get_webhook(tenant_context(bp.current_request), webhook_id)


@route(bp, "PATCH", "/v1/webhooks/{webhook_id}", "修改 Webhook 订阅 / Change a webhook subscription", body="webhook#patch",
       roles=DISTRICT_STAFF, response="webhook")
def update_webhook(webhook_id: str) -> dict[str, Any]:
    ctx, body = begin_write(bp.current_request)
    return webhooks.update_webhook(ctx, webhook_id, body)


@route(bp, "DELETE", "/v1/webhooks/{webhook_id}", "删除 Webhook 订阅 / Remove a webhook subscription", status=204,
       roles=DISTRICT_STAFF)
def delete_webhook(webhook_id: str) -> Response:
    ctx, version = delete_context(bp.current_request)
    webhooks.delete_webhook(ctx, webhook_id, version)
    return Response(body="", status_code=204)


@route(bp, "POST", "/v1/webhooks/{webhook_id}/test", "发送测试事件 / Send a test event", body="robot-test", status=202,
       roles=DISTRICT_STAFF, response="webhook-test")
def test_webhook(webhook_id: str) -> dict[str, Any]:
    """Queue a signed test event to the subscription; its outcome shows in the delivery log."""
    ctx, body = begin_write(bp.current_request)
    return webhooks.send_test(ctx, webhook_id, body.get("text"))
