"""What can be exported: every entity kind of every table, each column named and described in
Chinese and English (the data dictionary written beside each export as README.md).

Each dataset is read with one paginated Query over its `<tenant>#<kind>` partition. Personal
contact details of residents (service-request phone numbers) are not exported; the directory's
users are, with their phone and email masked (`MASKED`): an audit needs who held which role, not
how to reach them.
"""
from __future__ import annotations

from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterator

from functions import store
from functions.audit import chain
from functions.models import (AssessmentsTable, AuditTable, CommitteesTable, GridsTable, MeetingsTable, PlatformTable,
                              ServicesTable)
from functions.tenancy import TenantContext

COMMON = [("id", "标识", "Identifier (ULID)"), ("version", "版本", "Version"), ("created_at", "创建时间", "Created at (UTC)"),
          ("updated_at", "更新时间", "Updated at (UTC)")]
C = COMMON

# name → (model, kind, [(field, 中文, English)])
DATASETS: dict[str, tuple[Any, str, list[tuple[str, str, str]]]] = {
    "streets": (GridsTable, "street", [("name", "街道名称", "Street name"), ("code", "区划代码", "Division code")]),
    "communities": (GridsTable, "community", [("name", "社区名称", "Community name"), ("street_id", "所属街道", "Street"),
                                              ("code", "区划代码", "Division code")]),
    "grids": (GridsTable, "grid", [("name", "网格名称", "Grid name"), ("community_id", "所属社区", "Community"),
                                   ("workers", "网格员", "Grid workers"), ("boundary", "边界（GeoJSON）", "Boundary (GeoJSON)")]),
    "incidents": (GridsTable, "incident", [
        ("category", "类别", "Category"), ("category_name", "类别名称", "Category name"), ("description", "描述", "Description"),
        ("priority", "紧急程度", "Priority"), ("source", "来源", "Source"), ("grid_id", "网格", "Grid"),
        ("community_id", "社区", "Community"), ("status", "状态", "Status"), ("level", "处置层级", "Level"),
        ("assignee", "承办人", "Assignee"), ("reported_at", "上报时间", "Reported at"), ("due_at", "时限", "Due at"),
        ("closed_at", "结案时间", "Closed at"), ("satisfaction", "满意度", "Satisfaction"), ("cards", "黄牌红牌", "Cards"),
        ("history", "流转记录", "History")]),
    "patrols": (GridsTable, "patrol", [("grid_id", "网格", "Grid"), ("date", "日期", "Date"), ("worker", "网格员", "Worker"),
                                       ("findings", "发现问题", "Findings"), ("hours", "时长", "Hours")]),
    "units": (CommitteesTable, "unit", [("name", "单位名称", "Unit name"), ("kind", "单位类型", "Kind"),
                                        ("community_id", "所在社区", "Community"), ("party_org", "党组织", "Party organisation")]),
    "committees": (CommitteesTable, "committee", [("community_id", "社区", "Community"), ("name", "名称", "Name"),
                                                  ("members", "成员", "Members"), ("history", "历任成员", "Past members")]),
    "branches": (CommitteesTable, "branch", [("community_id", "社区", "Community"), ("name", "支部名称", "Branch name"),
                                             ("buildings", "楼栋", "Buildings"), ("members", "党员", "Members"),
                                             ("service_team", "5+N 服务队", "5+N service team"), ("warnings", "提示", "Warnings")]),
    "members": (CommitteesTable, "member", [("name", "姓名", "Name"), ("unit_id", "所在单位", "Unit"),
                                            ("branch_id", "所在支部", "Branch"), ("in_service", "在职党员", "In service"),
                                            ("reported_community_id", "报到社区", "Reported community")]),
    "pairings": (CommitteesTable, "pairing", [("kind", "结对类型", "Kind"), ("from_unit_id", "结对单位", "From unit"),
                                              ("to_unit_id", "被结对单位", "To unit"), ("cadence_days", "联系周期（天）", "Cadence (days)"),
                                              ("last_contact_on", "最近联系", "Last contact"), ("next_due", "下次应联系", "Next due"),
                                              ("contacts", "联系次数", "Contacts")]),
    "alliances": (CommitteesTable, "alliance", [("name", "联盟名称", "Alliance name"), ("unit_ids", "成员单位", "Member units")]),
    "meetings": (MeetingsTable, "meeting", [
        ("committee_id", "大党委", "Committee"), ("kind", "会议类型", "Kind"), ("scheduled_at", "会议时间", "Scheduled at"),
        ("location", "地点", "Location"), ("chair", "主持人", "Chair"), ("agenda", "议题", "Agenda"),
        ("attendees", "参会单位", "Attendees"), ("attendance", "出勤", "Attendance"),
        ("approved_revision", "已审定纪要版本", "Approved minutes revision")]),
    "decisions": (MeetingsTable, "decision", [("meeting_id", "会议", "Meeting"), ("title", "议定事项", "Title"),
                                              ("description", "说明", "Description"), ("action_ids", "任务", "Actions"),
                                              ("status", "状态", "Status")]),
    "users": (PlatformTable, "user", [("name", "姓名", "Name"), ("roles", "角色", "Roles"), ("status", "状态", "Status"),
                                      ("streets", "负责街道", "Streets"), ("communities", "社区", "Communities"),
                                      ("grids", "负责网格", "Grids"), ("departments", "所属部门", "Departments"),
                                      ("units", "所在单位", "Units"), ("phone", "手机号（已脱敏）", "Mobile (masked)"),
                                      ("email", "电子邮箱（已脱敏）", "Email (masked)")]),
    "departments": (CommitteesTable, "department", [("name", "部门名称", "Department name"), ("kind", "类型", "Kind"),
                                                    ("contacts", "联系人", "Contacts")]),
    "actions": (MeetingsTable, "action", [("decision_id", "议定事项", "Decision"), ("description", "任务", "Description"),
                                          ("assignee", "牵头部门", "Lead department"),
                                          ("assignee_name", "牵头部门名称", "Lead department's name"), ("due_date", "期限", "Due date"),
                                          ("status", "状态", "Status"), ("progress", "进度", "Progress"),
                                          ("closed", "已核验关闭", "Verified and closed"), ("parts", "分工", "Parts")]),
    "alliance_activities": (CommitteesTable, "activity", [("alliance_id", "联盟", "Alliance"), ("kind", "类型（六联）", "Kind"),
                                                          ("date", "日期", "Date"), ("description", "内容", "Description")]),
    "pairing_contacts": (CommitteesTable, "contact", [("pairing_id", "结对", "Pairing"), ("date", "日期", "Date"),
                                                      ("mode", "方式", "Mode"), ("units", "参与单位", "Units"),
                                                      ("outcome", "联系成效", "Outcome")]),
    "minutes_revisions": (MeetingsTable, "minutes", [("meeting_id", "会议", "Meeting"), ("revision", "版本", "Revision"),
                                                     ("status", "状态", "Status"), ("content_type", "文件类型", "Content type"),
                                                     ("size", "字节数", "Bytes"), ("sha256", "SHA-256", "SHA-256"),
                                                     ("version_id", "存储版本", "Storage version"), ("approved_by", "审定人", "Approved by"),
                                                     ("approved_at", "审定时间", "Approved at")]),
    "programme_participants": (ServicesTable, "participant", [("programme_id", "项目", "Programme"),
                                                              ("name", "姓名（已脱敏）", "Name (masked)"), ("joined_on", "加入日期", "Joined on"),
                                                              ("needs", "需求", "Needs")]),
    "assessment_results": (AssessmentsTable, "assessment_result", [
        ("period", "月份", "Month"), ("status", "公示状态", "Status"), ("unit_id", "单位", "Unit"), ("name", "单位名称", "Unit name"),
        ("community_id", "社区", "Community"), ("score", "得分", "Score"), ("grade", "等级", "Grade"), ("rank", "区内名次", "Rank"),
        ("dimensions", "五齐分项得分", "Dimension scores"), ("factors", "其他因素得分", "Factor scores"),
        ("weights_used", "实际权重", "Weights used"), ("inputs", "原始数据", "Inputs"), ("rule_version", "规则版本", "Rule version"),
        ("inputs_sha256", "原始数据摘要", "Inputs SHA-256")]),
    "volunteer_reports": (ServicesTable, "volunteer_report", [
        ("quarter", "季度", "Quarter"), ("unit_id", "单位", "Unit"), ("threshold_hours", "年度要求（小时）", "Annual threshold (hours)"),
        ("members", "在职党员时长（姓名已脱敏）", "Members' hours (names masked)"), ("below", "未达要求", "Below the threshold"),
        ("generated_at", "生成时间", "Generated at")]),
    "service_centres": (ServicesTable, "centre", [("name", "名称", "Name"), ("level", "层级", "Level"),
                                                  ("location", "位置", "Location"), ("opening_hours", "开放时间", "Opening hours")]),
    "service_requests": (ServicesTable, "service_request", [("type", "服务类型", "Type"), ("mode", "服务方式", "Mode"),
                                                           ("community_id", "社区", "Community"), ("status", "状态", "Status"),
                                                           ("rating", "评价", "Rating")]),
    "volunteer_activities": (ServicesTable, "volunteer_activity", [
        ("member_id", "党员", "Member"), ("member_name", "姓名", "Name"), ("unit_id", "所在单位", "Unit"),
        ("community_id", "服务社区", "Community"), ("date", "日期", "Date"), ("hours", "时长", "Hours"),
        ("dimension", "五齐维度", "Dimension"), ("status", "审核状态", "Review status")]),
    "programmes": (ServicesTable, "programme", [("name", "项目名称", "Name"), ("community_id", "社区", "Community"),
                                                ("audience", "服务对象", "Audience"), ("description", "说明", "Description")]),
    "cobuilding_activities": (AssessmentsTable, "cobuilding_activity", [
        ("unit_id", "单位", "Unit"), ("unit_name", "单位名称", "Unit name"), ("community_id", "社区", "Community"),
        ("dimension", "五齐维度", "Dimension"), ("occurred_at", "活动时间", "Occurred at"), ("period", "月份", "Month"),
        ("participants", "参与人数", "Participants"), ("hours", "时长", "Hours"), ("beneficiaries", "受益人数", "Beneficiaries"),
        ("description", "内容", "Description")]),
    "audit_log": (AuditTable, "audit", [("seq", "序号", "Sequence"), ("at", "时间", "At (UTC)"), ("actor", "操作人", "Actor"),
                                        ("action", "操作", "Action"), ("target", "对象", "Target"),
                                        ("state_sha256", "状态摘要", "State SHA-256"), ("prev_hash", "前一哈希", "Previous hash"),
                                        ("hash", "哈希", "Hash")]),
}


MASKED = {"users": ("phone", "email"), "programme_participants": ("name",)}
# Datasets kept under each parent object (`<tenant>#<parent>#<id>#<suffix>`): parent kind, the field
# naming the parent in each row. One Query per parent.
NESTED = {"alliance_activities": ("alliance", "alliance_id"), "pairing_contacts": ("pairing", "pairing_id"),
          "minutes_revisions": ("meeting", "meeting_id"), "programme_participants": ("programme", "programme_id")}


def masked(value: Any) -> Any:
    """`13807751234` → `138****1234`; `huang@example.cn` → `h***@example.cn`."""
    if not isinstance(value, str) or not value:
        return value
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if not any(c.isdigit() for c in value):  # a name: 刘女士 → 刘**
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "****" + value[-4:] if len(value) > 7 else "****"


def columns(name: str) -> list[tuple[str, str, str]]:
    _, _, fields = DATASETS[name]
    return fields if name == "audit_log" else COMMON + fields


def instant(text: str) -> datetime:
    """An ISO 8601 moment as an aware datetime; one without an offset is taken as UTC (as stored)."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def in_range(moment: str | None, low: datetime | None, high: datetime | None) -> bool:
    """Whether a stored moment lies in [low, high]. Compared as instants, never as strings: rows are
    stored in UTC and bounds arrive with the client's offset (`+08:00`), which sort differently."""
    if low is None and high is None:
        return True
    if not moment:
        return False  # a row with no time cannot be shown to lie in the range
    when = instant(moment)
    return (low is None or when >= low) and (high is None or when <= high)


def _assessment_results(ctx: TenantContext) -> Iterator[dict[str, Any]]:
    """Every published month's results with their inputs (one Query per month's run)."""
    for state in store.query_all(AssessmentsTable, ctx.key("assessment-period")):
        month = state.fields()
        if month.get("run_id"):
            for item in store.query_all(AssessmentsTable, ctx.key("assessment-run", month["run_id"])):
                yield {**item.public(), "period": month["period"], "status": month["status"],
                       "created_at": month.get("published_at")}


def _volunteer_reports(ctx: TenantContext) -> Iterator[dict[str, Any]]:
    """Every quarter's reports since 2020 (one Query per quarter), members' names masked."""
    year = int(datetime.now(UTC).year)
    for quarter in (f"{y}-Q{q}" for y in range(2020, year + 1) for q in range(1, 5)):
        for item in store.query_all(ServicesTable, ctx.key("volunteer-report", quarter)):
            report = item.public()
            yield {**report, "members": [{**m, "name": masked(m.get("name"))} for m in report.get("members", [])]}


# Datasets gathered from several partitions, each by its own reader.
GATHERED = {"assessment_results": _assessment_results, "volunteer_reports": _volunteer_reports}


def rows(ctx: TenantContext, name: str, date_from: str | None, date_to: str | None) -> Iterator[dict[str, Any]]:
    """The dataset's rows, streamed from paginated Queries, within [from, to] on their creation time."""
    model, kind, _ = DATASETS[name]
    if name in GATHERED:
        source = GATHERED[name](ctx)
        stamp = "created_at"
    elif name == "audit_log":
        source = (e for e in chain.entries(ctx.tenant))
        stamp = "at"
    elif name in NESTED:
        parent, field = NESTED[name]
        source = ({**item.public(), field: owner.sk} for owner in store.query_all(model, ctx.key(parent))
                  for item in store.query_all(model, ctx.key(parent, owner.sk, kind)))
        stamp = "created_at"
    else:
        source = (item.public() for item in store.query_all(model, ctx.key(kind)))
        stamp = "created_at"
    low = instant(date_from) if date_from else None
    high = instant(date_to) if date_to else None
    hidden = MASKED.get(name, ())
    for row in source:
        if in_range(row.get(stamp), low, high):
            yield {**row, **{field: masked(row.get(field)) for field in hidden if field in row}}


def dictionary_markdown(names: list[str]) -> str:
    """README.md: every column of every exported dataset, in Chinese and English."""
    lines = ["# 数据字典 / Data dictionary", "",
             "CSV 为 UTF-8（带 BOM），首行为表头；列表和对象字段以 JSON 文本表示。",
             "CSV files are UTF-8 with a BOM and one header row; list and object fields hold JSON text.", ""]
    for name in names:
        lines += [f"## {name}", "", "| 字段 / column | 中文 | English |", "|---|---|---|"]
        lines += [f"| `{field}` | {zh} | {en} |" for field, zh, en in columns(name)]
        lines.append("")
    return "\n".join(lines)
