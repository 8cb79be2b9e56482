"""Routes for everyone's to-do list (`/v1/me/tasks`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from functions import lazy
from functions.api.declaration import route
from functions.api.request import tenant_context
from functions.tenancy import TENANT_ROLES

bp = Blueprint(__name__)
if TYPE_CHECKING:  # the real modules for readers and the type checker; loaded on first use at run time
    from functions.tasks import inbox
else:
    inbox = lazy.modules("functions.tasks", "inbox")


@route(bp, "GET", "/v1/me/tasks", "我的待办 / My tasks", roles=TENANT_ROLES, response="task-list")
def my_tasks() -> dict[str, Any]:
    """The caller's open tasks, most urgent first, each naming its object, why it is theirs, its due
    time and a link; counts per kind for a badge. A task leaves once its object no longer needs them."""
    return inbox.my_tasks(tenant_context(bp.current_request))
