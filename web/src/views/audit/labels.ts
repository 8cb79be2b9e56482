// Labels the 审计 screen needs that web/src/labels.ts does not have (same shape: code → [中文, English]).
import { currentLocale } from "../../i18n";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const AUDIT_LABELS = {
  // functions/exports/datasets.py DATASETS, in its order
  dataset: {
    streets: ["街道", "Streets"], communities: ["社区", "Communities"], grids: ["网格", "Grids"],
    incidents: ["事件", "Incidents"], patrols: ["巡查记录", "Patrols"], units: ["单位", "Units"],
    committees: ["大党委", "Committees"], branches: ["楼栋党支部", "Building branches"], members: ["党员", "Party members"],
    pairings: ["结对共建", "Pairings"], alliances: ["党建联盟", "Alliances"], meetings: ["会议", "Meetings"],
    decisions: ["议定事项", "Decisions"], users: ["用户名录（已脱敏）", "Users (masked)"], departments: ["职能部门", "Departments"],
    actions: ["决议事项任务", "Actions"], alliance_activities: ["联盟活动", "Alliance activities"],
    pairing_contacts: ["结对联系记录", "Pairing contacts"], minutes_revisions: ["会议纪要（含文件）", "Minutes (with files)"],
    programme_participants: ["项目参与人", "Programme participants"], assessment_results: ["考核结果", "Assessment results"],
    volunteer_reports: ["志愿服务报告", "Volunteer reports"], service_centres: ["服务中心", "Service centres"],
    service_requests: ["服务请求", "Service requests"], volunteer_activities: ["志愿服务活动", "Volunteer activities"],
    programmes: ["服务项目", "Programmes"], cobuilding_activities: ["共建活动", "Co-building activities"],
    audit_log: ["审计日志", "Audit log"],
  },
  // export-job.json status (the shared export_status lacks needs_native_export and cancelled)
  export_status: {
    pending: ["排队中", "Pending"], running: ["进行中", "Running"], done: ["已完成", "Done"], failed: ["失败", "Failed"],
    needs_native_export: ["数据量过大：需改用原生导出", "Too large: needs the native export"], cancelled: ["已取消", "Cancelled"],
  },
  // audit-verify.json reason
  verify_reason: {
    entry: ["条目与哈希链不符", "An entry does not match the chain"],
    digest: ["签名摘要无效", "The signed digest is invalid"],
    rewritten: ["链被改写", "The chain was rewritten"],
    truncated: ["链尾被删除", "The chain's tail was dropped"],
    head: ["链头不符", "The chain head disagrees"],
    unsealed: ["签名已停止", "Sealing has stopped"],
  },
  unit: { rows: ["行", "rows"], items: ["项", "items"], units: ["个单位", "units"], files: ["个文件", "files"] },
  // the first part of an audit action and of a target ("incident.accept", "incident/<id>")
  object: {
    tenant: ["区", "District"], street: ["街道", "Street"], community: ["社区", "Community"], grid: ["网格", "Grid"],
    incident: ["事件", "Incident"], patrol: ["巡查", "Patrol"], unit: ["单位", "Unit"], committee: ["大党委", "Committee"],
    branch: ["支部", "Branch"], member: ["党员", "Member"], pairing: ["结对", "Pairing"], pairing_contact: ["结对联系", "Pairing contact"],
    contact: ["结对联系", "Pairing contact"], alliance: ["联盟", "Alliance"], alliance_activity: ["联盟活动", "Alliance activity"],
    activity: ["联盟活动", "Alliance activity"], meeting: ["会议", "Meeting"], minutes: ["纪要", "Minutes"],
    decision: ["议定事项", "Decision"], action: ["决议事项", "Action"], user: ["用户", "User"], department: ["部门", "Department"],
    job: ["后台任务", "Job"], export: ["导出", "Export"], audit: ["审计日志", "Audit log"], notice: ["通知", "Notice"],
    webhook: ["Webhook", "Webhook"], robot: ["群机器人", "Robot"], calendar: ["工作日历", "Calendar"], tasks: ["待办", "Tasks"],
    assessment: ["考核", "Assessment"], assessment_appeal: ["考核申诉", "Assessment appeal"],
    assessment_rules: ["考核规则", "Assessment rules"], assessment_result: ["考核结果", "Assessment result"],
    centre: ["服务中心", "Service centre"], service_centre: ["服务中心", "Service centre"],
    service_request: ["服务请求", "Service request"], volunteer_activity: ["志愿活动", "Volunteer activity"],
    volunteer_hours: ["志愿时长", "Volunteer hours"], volunteer_report: ["志愿报告", "Volunteer report"],
    programme: ["服务项目", "Programme"], participant: ["项目参与人", "Participant"],
    cobuilding_activity: ["共建活动", "Co-building activity"], people: ["人员信息", "People"],
    category: ["事件类别", "Incident category"], incident_category: ["事件类别", "Incident category"],
    settings: ["设置", "Settings"], street_network: ["路网", "Street network"], upload: ["上传", "Upload"],
    notification_settings: ["通知设置", "Notification settings"], offboarding: ["注销", "Offboarding"],
  },
  verb: {
    create: ["新建", "create"], update: ["修改", "update"], delete: ["删除", "delete"], archive: ["归档", "archive"],
    restore: ["恢复", "restore"], read: ["查阅", "read"], report: ["上报", "report"], accept: ["受理", "accept"],
    dispatch: ["派遣", "dispatch"], start: ["开始处置", "start"], resolve: ["办结", "resolve"], verify: ["核查", "verify"],
    close: ["结案", "close"], reject: ["不予受理", "reject"], escalate: ["上报上级", "escalate"],
    yellow_card: ["亮黄牌", "yellow card"], red_card: ["亮红牌", "red card"], rate: ["评价", "rate"],
    due_soon: ["即将到期提醒", "due-soon reminder"], approve: ["审定", "approve"], revise: ["修订", "revise"],
    remind: ["提醒", "remind"], remind_withdrawn: ["撤回提醒", "reminder withdrawn"], publish: ["发布", "publish"],
    finalize: ["定稿", "finalize"], test: ["测试", "test"], activate: ["激活", "activate"], disable: ["停用", "disable"],
    enable: ["启用", "enable"], backfill: ["补建", "backfill"], notification_settings: ["通知设置", "notification settings"],
    export: ["导出", "export"], offboarding: ["注销", "offboarding"], assessment_run: ["考核运行", "assessment run"],
    upheld: ["支持申诉", "uphold"], dismissed: ["驳回申诉", "dismiss"], progress: ["报告进度", "progress"],
    sign_off: ["签收", "sign off"], contact: ["联系", "contact"], put: ["设置", "set"], transition: ["流转", "transition"],
  },
} satisfies Record<string, Labels>;

export type AuditLabelGroup = keyof typeof AUDIT_LABELS;

export function auditLabel(group: AuditLabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  const found = (AUDIT_LABELS[group] as Labels)[code];
  return found ? found[currentLocale() === "en" ? 1 : 0] : code;
}

export function auditOptions(group: AuditLabelGroup): { value: string; label: string }[] {
  return Object.keys(AUDIT_LABELS[group]).map((value) => ({ value, label: auditLabel(group, value) }));
}

/** "incident.accept" → "事件 · 受理"; an unknown part shows as its code. */
export function actionLabel(action: string): string {
  const [object, ...rest] = action.split(".");
  const verb = rest.join(".");
  return verb ? `${auditLabel("object", object)} · ${auditLabel("verb", verb)}` : auditLabel("object", object);
}

/** The part of a bilingual "中文 / English" text (the API's `detail`) in the current language. */
export function inLanguage(text: string | null | undefined): string {
  if (!text) return "";
  const at = text.indexOf(" / ");
  if (at < 0) return text;
  return currentLocale() === "en" ? text.slice(at + 3) : text.slice(0, at);
}
