"""Named errors and their one mapping to RFC 9457 problem details.

Services raise these; the HTTP middleware renders them (`problem_response`). They subclass
Chalice's `ChaliceUnhandledError` because Chalice turns every other exception raised in a view
into its own 500 body before middleware can see it.

Every message carries zh-CN and English text; the client picks with `Accept-Language`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalice.app import ChaliceUnhandledError

PROBLEM_BASE = "https://gongjian.example/problems/"


@dataclass(frozen=True)
class Text:
    """A user-facing message in Chinese (first) and English."""

    zh: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class FieldError:
    """One failing field: a JSON pointer-like path (`/members/0/unit_id`) and why."""

    path: str
    message: Text


class ProblemError(ChaliceUnhandledError):
    """Base of every error a client may see. Subclasses set status, slug and title."""

    status: int = 500
    slug: str = "internal-error"
    title: Text = Text("服务器内部错误", "Internal server error")

    def __init__(self, detail: Text | None = None, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__((detail or self.title).en)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}

    def to_problem(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title.pick(lang),
            "status": self.status,
            "detail": self.detail.pick(lang),
        }
        if self.errors:
            body["errors"] = [{"path": e.path, "message": e.message.pick(lang)} for e in self.errors]
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", Text("请求无效", "Bad request")


class ValidationFailed(ProblemError):
    """The body or query does not match its schema; `errors` names each field."""

    status, slug, title = 400, "validation-failed", Text("请求内容校验失败", "Request validation failed")


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", Text("未认证或令牌无效", "Missing or invalid token")


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", Text("无权执行此操作", "Not allowed")


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", Text("对象不存在", "Not found")


class MethodNotAllowed(ProblemError):
    """A known path without that method; `Allow` lists the ones it has."""

    status, slug, title = 405, "method-not-allowed", Text("该路径不支持此方法", "Method not allowed on this path")


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", Text("与当前状态冲突", "Conflict with the current state")


def step_not_allowed(status: tuple[str, str], step: tuple[str, str], allowed: dict[str, tuple[str, str]]) -> Conflict:
    """A 409 for a step a loop's state does not allow, in words a person reads (the state's and the
    steps' names), with the allowed steps' codes for a client: "当前状态“处置中”不能执行“开始处置”，可执行：办结"."""
    zh = f"当前状态“{status[0]}”不能执行“{step[0]}”" + (f"，可执行：{'、'.join(n[0] for n in allowed.values())}" if allowed else "")
    en = f"'{step[1]}' is not allowed when {status[1]}" + (f"; allowed: {', '.join(n[1] for n in allowed.values())}" if allowed else "")
    return Conflict(Text(zh, en), extra={"allowed": sorted(allowed)})


class StaleVersion(Conflict):
    slug, title = "stale-version", Text("对象已被他人修改，请刷新后重试", "The object changed since you read it")


class IntegrityError(Conflict):
    """A stored object is not the bytes its record pins (SHA-256, size or version): it is never served."""

    slug, title = "integrity-error", Text("存储的文件与记录的校验值不符，已拒绝提供", "The stored file does not match its recorded checksum and is withheld")


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", Text("请求体过大", "Request body too large")


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", Text("不支持的内容类型", "Unsupported media type")


class Unprocessable(ProblemError):
    """Well-formed but not acceptable: a reference to a missing object, a reused idempotency key."""

    status, slug, title = 422, "unprocessable", Text("请求无法处理", "Unprocessable request")


class TenantSuspended(ProblemError):
    status, slug, title = 423, "tenant-suspended", Text("该区已暂停，只能查询和导出", "Tenant suspended: read and export only")


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", Text("请求过多或超出配额", "Too many requests or over quota")


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", Text("服务繁忙，请稍后重试", "Service busy, retry later")


class JobFailed(ProblemError):
    """Long work that ran and failed (recorded as the job's problem, never a request's answer)."""

    status, slug, title = 500, "job-failed", Text("任务失败", "The job failed")


class IdempotentReplay(ProblemError):
    """A request repeated with its Idempotency-Key: the middleware answers with the stored result."""

    status, slug, title = 200, "replay", Text("重复请求", "Replayed request")

    def __init__(self, replay: Any) -> None:
        super().__init__()
        self.replay = replay


# Chalice's own error bodies ({"Code", "Message"}) for what happens outside our code.
CHALICE_CODES: dict[int, type[ProblemError]] = {
    400: BadRequest, 403: Forbidden, 404: NotFound, 405: MethodNotAllowed, 413: PayloadTooLarge,
    415: UnsupportedMediaType, 429: TooManyRequests,
}


# Error codes of DynamoDB that mean "busy" once botocore's retries are spent.
THROTTLED = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                       "TransactionConflictException", "TransactionInProgressException"})


def from_dependency(error: Exception) -> ProblemError | None:
    """The problem a client sees for a failure of a dependency (DynamoDB through PynamoDB), or None
    when the failure is a bug to answer as 500."""
    if getattr(error, "cause_response_code", None) in THROTTLED:
        return ServiceUnavailable(headers={"Retry-After": "2"})
    return None


def language(accept_language: str | None) -> str:
    """zh-CN unless the client prefers English first."""
    if not accept_language:
        return "zh"
    first = accept_language.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def field_error(path: str, zh: str, en: str) -> FieldError:
    return FieldError(path, Text(zh, en))
