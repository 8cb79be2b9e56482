"""The events people can be told of, in words (zh / en). A robot subscribes to some of them."""
from __future__ import annotations

from typing import Any

EVENT_KINDS: dict[str, tuple[str, str]] = {
    "task.incident_accept": ("新事件待受理", "New incident to accept"),
    "task.incident_dispatch": ("事件待派遣", "Incident to dispatch"),
    "task.incident_handle": ("事件派给你处置", "Incident dispatched to you"),
    "task.incident_verify": ("事件待核查", "Incident to verify"),
    "task.incident_close": ("事件待结案", "Incident to close"),
    "task.action_part": ("决议事项分项交办", "Action part assigned"),
    "task.action_finish": ("决议事项待办结", "Action to mark done"),
    "task.action_verify": ("决议事项待核验", "Action to verify"),
    "task.minutes_approval": ("会议纪要待审定", "Minutes awaiting approval"),
    "task.calendar_missing": ("缺少工作日历", "Working-day calendar missing"),
    "task.appeal_answer": ("考核申诉待处理", "Assessment appeal to answer"),
    "task.meeting_attend": ("联席会议通知", "Joint meeting to attend"),
    "incident.overdue": ("事件超时亮牌", "Incident overdue (card)"),
    "incident.due_soon": ("事件将到期", "Incident due soon"),
    "meeting.tomorrow": ("明天召开联席会议", "Joint meeting tomorrow"),
    "volunteer_report.ready": ("季度志愿服务报告已生成", "Quarterly volunteer report ready"),
    "test": ("测试消息", "Test message"),
}
DEFAULT_ROBOT_EVENTS = ["incident.overdue", "task.incident_accept", "task.action_part", "task.minutes_approval"]


def label(kind: str) -> str:
    zh, en = EVENT_KINDS.get(kind, (kind, kind))
    return f"{zh} / {en}"


def outside_title(event: dict[str, Any]) -> str:
    """The title for channels that leave the platform: a public one where the event has it (an
    incident's category and short id, not what the reporter wrote)."""
    return str(event.get("public_title") or event.get("title") or "")
