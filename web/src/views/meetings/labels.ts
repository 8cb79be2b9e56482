// Labels this screen needs that web/src/labels.ts has not got (same shape): a decision's status and an
// action part's role.
import { currentLocale } from "../../i18n";
import { label as shared, type LabelGroup } from "../../labels";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const MEETING_LABELS = {
  decision_status: { open: ["未开始", "Open"], in_progress: ["办理中", "In progress"], done: ["已办结", "Done"],
    closed: ["已核验关闭", "Closed"] },
  part_role: { lead: ["牵头", "Lead"], assist: ["协办", "Assisting"] },
} satisfies Record<string, Labels>;

export type MeetingLabelGroup = keyof typeof MEETING_LABELS;

/** A code's label from this screen's groups or the shared ones. */
export function label(group: MeetingLabelGroup | LabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  if (group in MEETING_LABELS) {
    const found = (MEETING_LABELS[group as MeetingLabelGroup] as Labels)[code];
    return found ? found[currentLocale() === "en" ? 1 : 0] : code;
  }
  return shared(group as LabelGroup, code);
}

/** Element Plus tag types by status. */
export const STATUS_TAG: Record<string, "info" | "warning" | "success" | "danger" | "primary"> = {
  draft: "warning", approved: "success", superseded: "info",
  open: "info", in_progress: "warning", done: "success", closed: "primary",
};
