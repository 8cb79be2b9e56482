// Labels this screen needs that web/src/labels.ts has not got (same shape): the assessment's other
// factors, the counts behind them, the rule's source and scale.
import { currentLocale } from "../../i18n";
import { label as shared, type LabelGroup } from "../../labels";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const ASSESSMENT_LABELS = {
  factor: {
    meeting_attendance: ["联席会议出勤", "Meeting attendance"], action_completion: ["决议事项按期完成", "Actions on time"],
    pairing_activity: ["结对联系", "Pairing contacts"], volunteer_hours: ["党员志愿服务时长", "Volunteer hours"],
  },
  count: {
    meetings_invited: ["应出席会议（家次）", "Meetings invited"], meetings_present: ["实到会议（家次）", "Meetings attended"],
    actions_due: ["本月到期分项", "Action parts due"], actions_on_time: ["按期完成分项", "Action parts on time"],
    pairing_contacts: ["结对联系次数", "Pairing contacts made"], pairing_contacts_expected: ["应联系次数", "Pairing contacts expected"],
    in_service_members: ["在职党员人数", "Members in service"],
  },
  rule_source: { default: ["系统默认", "Default"], tenant: ["本区规则", "District's own"] },
  rule_scale: { sqrt: ["平方根（边际递减）", "Square root (diminishing)"], linear: ["线性", "Linear"] },
  decision: { upheld: ["支持申诉", "Uphold"], dismissed: ["驳回申诉", "Dismiss"] },
} satisfies Record<string, Labels>;

export type AssessmentLabelGroup = keyof typeof ASSESSMENT_LABELS;

/** A code's label from this screen's groups or the shared ones. */
export function label(group: AssessmentLabelGroup | LabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  if (group in ASSESSMENT_LABELS) {
    const found = (ASSESSMENT_LABELS[group as AssessmentLabelGroup] as Labels)[code];
    return found ? found[currentLocale() === "en" ? 1 : 0] : code;
  }
  return shared(group as LabelGroup, code);
}

export const DIMENSIONS = ["public_welfare", "sanitation", "security", "vulnerable_support", "development_planning"] as const;
export const FACTORS = ["meeting_attendance", "action_completion", "pairing_activity", "volunteer_hours"] as const;

/** Tag colours by grade position (the bands come highest first). */
export function gradeTag(grade: string, bands: { grade: string }[]): "success" | "warning" | "danger" | "info" {
  const i = bands.findIndex((b) => b.grade === grade);
  if (i < 0) return "info";
  if (i === bands.length - 1) return "danger";
  return (["success", "info", "warning"] as const)[Math.min(i, 2)];
}
