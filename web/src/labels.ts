// Chinese (and English) labels of the API's codes: a screen shows `label("incident_status", s)`,
// never the raw code. Grouped by the field they label; a code missing here shows as itself.
import { currentLocale } from "./i18n";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const LABELS = {
  role: {
    platform_admin: ["平台管理员", "Platform admin"], district_admin: ["区管理员", "District admin"],
    street_staff: ["街道办", "Street office"], community_staff: ["社区书记/工作人员", "Community staff"],
    grid_worker: ["网格员", "Grid worker"], department: ["职能部门", "Department"],
    employer: ["单位联系人", "Employer contact"], resident: ["居民", "Resident"], member: ["党员", "Party member"],
    auditor: ["审计员", "Auditor"],
  },
  task_kind: {
    incident_accept: ["事件待受理", "Incident to accept"], incident_dispatch: ["事件待派遣", "Incident to dispatch"],
    incident_handle: ["事件待处置", "Incident to handle"], incident_verify: ["事件待核查", "Incident to verify"],
    incident_close: ["事件待结案", "Incident to close"], action_part: ["决议事项分项", "Action part"],
    action_finish: ["决议事项待办结", "Action to finish"], action_verify: ["决议事项待核验", "Action to verify"],
    minutes_approval: ["纪要待审定", "Minutes to approve"], calendar_missing: ["缺少工作日历", "Calendar missing"],
    pairing_contact: ["定向联系", "Pairing contact"], volunteer_verify: ["志愿时长待审核", "Hours to verify"],
    appeal_answer: ["考核申诉待处理", "Appeal to answer"], meeting_attend: ["会议待出席", "Meeting to attend"],
  },
  incident_status: {
    reported: ["已上报", "Reported"], accepted: ["已受理", "Accepted"], dispatched: ["已派遣", "Dispatched"],
    in_progress: ["处置中", "In progress"], resolved: ["已办结", "Resolved"], verified: ["已核查", "Verified"],
    closed: ["已结案", "Closed"], rejected: ["不予受理", "Rejected"],
  },
  incident_action: {
    report: ["上报", "Report"], accept: ["受理", "Accept"], dispatch: ["派遣", "Dispatch"], start: ["开始处置", "Start"],
    resolve: ["办结", "Resolve"], verify: ["核查", "Verify"], close: ["结案", "Close"], reject: ["不予受理", "Reject"],
    escalate: ["上报上级", "Escalate"], card: ["亮牌", "Card"],
  },
  incident_category: {
    public_security: ["社会治安", "Public security"], dispute: ["矛盾纠纷", "Dispute"], sanitation: ["环境卫生", "Sanitation"],
    safety_hazard: ["安全隐患", "Safety hazard"], public_service: ["公共服务", "Public service"], other: ["其他", "Other"],
  },
  incident_source: {
    grid_patrol: ["网格巡查", "Grid patrol"], hotline_12345: ["12345 热线", "12345 hotline"],
    resident_report: ["居民上报", "Resident report"], assigned: ["上级交办", "Assigned"], device_alert: ["设备告警", "Device alert"],
  },
  priority: { urgent: ["紧急", "Urgent"], normal: ["一般", "Normal"] },
  level: { grid: ["网格", "Grid"], community: ["社区", "Community"], street: ["街道", "Street"], district: ["区", "District"] },
  card: { yellow: ["黄牌", "Yellow card"], red: ["红牌", "Red card"] },
  meeting_kind: { joint: ["联席会议", "Joint meeting"], expanded: ["扩大会议", "Expanded meeting"] },
  minutes_status: { draft: ["待审批", "Draft"], approved: ["已批准", "Approved"], superseded: ["已被替代", "Superseded"] },
  action_status: { open: ["待办", "Open"], in_progress: ["进行中", "In progress"], done: ["已完成", "Done"], closed: ["已关闭", "Closed"] },
  unit_kind: {
    government: ["党政机关", "Government"], public_institution: ["事业单位", "Public institution"],
    state_enterprise: ["国有企业", "State enterprise"], non_public_enterprise: ["非公企业", "Non-public enterprise"],
    social_organization: ["社会组织", "Social organization"],
  },
  party_org_status: {
    upgraded: ["已提升", "Upgraded"], converted: ["已转化", "Converted"], standardized: ["已规范", "Standardized"], none: ["未建", "None"],
  },
  committee_role: { secretary: ["书记", "Secretary"], deputy_secretary: ["副书记", "Deputy secretary"], member: ["委员", "Member"] },
  branch_role: { secretary: ["书记", "Secretary"], group_leader: ["组长", "Group leader"], member: ["党员", "Member"] },
  pairing_kind: { link: ["一联一", "Link"], help: ["一帮一", "Help"], lead: ["一带一", "Lead"] },
  contact_mode: { visit: ["走访", "Visit"], meeting: ["座谈", "Meeting"], phone: ["电话", "Phone"], online: ["线上", "Online"] },
  alliance_activity: {
    // as the API names the six links (functions/committees/alliances.py)
    training: ["党员联训", "Joint training"], activity: ["活动联办", "Joint activities"], system: ["制度联建", "Joint rules"],
    position: ["阵地联创", "Shared venues"], service: ["服务联动", "Joint services"], information: ["信息联通", "Shared information"],
  },
  service_type: {
    employment: ["就业", "Employment"], education: ["教育", "Education"], household: ["家政", "Household"],
    elderly: ["养老", "Elderly care"], childcare: ["托幼", "Childcare"], other: ["其他", "Other"],
  },
  service_mode: { door_to_door: ["上门服务", "Door to door"], one_stop: ["一站式", "One-stop"] },
  service_status: {
    submitted: ["已提交", "Submitted"], accepted: ["已受理", "Accepted"], in_service: ["服务中", "In service"],
    completed: ["已完成", "Completed"], declined: ["已婉拒", "Declined"],
  },
  centre_level: { district: ["区级", "District"], street: ["街道级", "Street"], community: ["社区级", "Community"] },
  dimension: {
    public_welfare: ["公益", "Public welfare"], sanitation: ["环境卫生", "Sanitation"], security: ["治安", "Security"],
    vulnerable_support: ["扶弱", "Vulnerable support"], development_planning: ["发展规划", "Development planning"],
  },
  appeal_status: { open: ["待处理", "Open"], upheld: ["已支持", "Upheld"], dismissed: ["已驳回", "Dismissed"] },
  assessment_status: { published: ["已发布", "Published"], final: ["已定稿", "Final"] },
  job_state: {
    queued: ["排队中", "Queued"], running: ["进行中", "Running"], succeeded: ["已完成", "Succeeded"],
    failed: ["失败", "Failed"], cancelled: ["已取消", "Cancelled"],
  },
  export_status: { pending: ["排队中", "Pending"], running: ["进行中", "Running"], done: ["已完成", "Done"], failed: ["失败", "Failed"] },
  user_status: { invited: ["已邀请", "Invited"], active: ["在用", "Active"], disabled: ["已停用", "Disabled"] },
  channel: { in_app: ["站内", "In app"], sms: ["短信", "SMS"], email: ["邮件", "Email"] },
  format: { csv: ["CSV", "CSV"], xlsx: ["Excel", "Excel"], jsonl: ["JSON Lines", "JSON Lines"] },
} satisfies Record<string, Labels>;

export type LabelGroup = keyof typeof LABELS;

/** The label of `code` in the current language; the code itself when it has none. */
export function label(group: LabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  const found = (LABELS[group] as Labels)[code];
  return found ? found[currentLocale() === "en" ? 1 : 0] : code;
}

/** `[{value, label}]` for a filter's options. */
export function options(group: LabelGroup): { value: string; label: string }[] {
  return Object.keys(LABELS[group]).map((value) => ({ value, label: label(group, value) }));
}
