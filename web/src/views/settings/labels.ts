// Labels this screen needs that web/src/labels.ts has not got (same shape): departments' kinds, robots,
// the events they post, deliveries, time limits, calendars' and categories' sources.
import { currentLocale } from "../../i18n";
import { label as shared, type LabelGroup } from "../../labels";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const SETTINGS_LABELS = {
  department_kind: {
    environment: ["环保", "Environment"], market_regulation: ["市场监管（工商）", "Market regulation"], municipal: ["市政", "Municipal"],
    urban_management: ["城管", "Urban management"], public_security: ["公安", "Public security"], housing: ["住建", "Housing"],
    civil_affairs: ["民政", "Civil affairs"], health: ["卫健", "Health"], education: ["教育", "Education"], other: ["其他", "Other"],
  },
  provider: { wecom: ["企业微信", "WeCom"], dingtalk: ["钉钉", "DingTalk"] },
  scope_kind: { district: ["全区", "District"], street: ["街道", "Street"], community: ["社区", "Community"], department: ["职能部门", "Department"] },
  event: {
    "task.incident_accept": ["新事件待受理", "New incident to accept"], "task.incident_dispatch": ["事件待派遣", "Incident to dispatch"],
    "task.incident_handle": ["事件派给你处置", "Incident dispatched to you"], "task.incident_verify": ["事件待核查", "Incident to verify"],
    "task.incident_close": ["事件待结案", "Incident to close"], "task.action_part": ["决议事项分项交办", "Action part assigned"],
    "task.action_finish": ["决议事项待办结", "Action to mark done"], "task.action_verify": ["决议事项待核验", "Action to verify"],
    "task.minutes_approval": ["会议纪要待审定", "Minutes awaiting approval"], "task.calendar_missing": ["缺少工作日历", "Calendar missing"],
    "task.appeal_answer": ["考核申诉待处理", "Appeal to answer"], "task.meeting_attend": ["联席会议通知", "Meeting to attend"],
    "incident.overdue": ["事件超时亮牌", "Incident overdue (card)"], "incident.due_soon": ["事件将到期", "Incident due soon"],
    "meeting.tomorrow": ["明天召开联席会议", "Meeting tomorrow"], "volunteer_report.ready": ["季度志愿服务报告已生成", "Volunteer report ready"],
    test: ["测试消息", "Test message"],
  },
  delivery_channel: {
    in_app: ["站内", "In app"], wecom: ["企业微信", "WeCom"], dingtalk: ["钉钉", "DingTalk"], webhook: ["Webhook", "Webhook"],
    sms: ["短信", "SMS"], email: ["邮件", "Email"],
  },
  outcome: {
    delivered: ["已送达", "Delivered"], retrying: ["重试中", "Retrying"], failed: ["失败", "Failed"], held: ["暂缓（免打扰）", "Held"],
    skipped: ["已跳过", "Skipped"],
  },
  time_unit: { hours: ["小时", "hours"], working_hours: ["工作小时", "working hours"], working_days: ["工作日", "working days"] },
  stage: { accept: ["受理时限", "To accept"], resolve: ["办结时限", "To resolve"] },
  source: { built_in: ["内置", "Built in"], tenant: ["本区", "District's own"], none: ["尚无", "None yet"] },
} satisfies Record<string, Labels>;

export type SettingsLabelGroup = keyof typeof SETTINGS_LABELS;

/** A code's label from this screen's groups or the shared ones. */
export function label(group: SettingsLabelGroup | LabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  if (group in SETTINGS_LABELS) {
    const found = (SETTINGS_LABELS[group as SettingsLabelGroup] as Labels)[code];
    return found ? found[currentLocale() === "en" ? 1 : 0] : code;
  }
  return shared(group as LabelGroup, code);
}

export function options(group: SettingsLabelGroup): { value: string; label: string }[] {
  return Object.keys(SETTINGS_LABELS[group]).map((value) => ({ value, label: label(group, value) }));
}
