// Labels this screen needs that web/src/labels.ts has not got (same shape): a service request's
// actions, a volunteer activity's review state, how walking time is worked out.
import { currentLocale } from "../../i18n";
import { label as shared, type LabelGroup } from "../../labels";

type Labels = Record<string, readonly [zh: string, en: string]>;

export const SERVICE_LABELS = {
  service_action: {
    submit: ["提交", "Submit"], accept: ["受理", "Accept"], start: ["开始服务", "Start"], complete: ["完成服务", "Complete"],
    decline: ["婉拒", "Decline"],
  },
  volunteer_status: { pending: ["待审核", "To verify"], verified: ["已审核", "Verified"], rejected: ["已驳回", "Rejected"] },
  coverage_method: {
    street_network: ["沿路网步行", "Along the street network"],
    straight_line_with_detour_factor: ["直线距离 × 绕行系数", "Straight line × detour factor"],
  },
} satisfies Record<string, Labels>;

export type ServiceLabelGroup = keyof typeof SERVICE_LABELS;

/** A code's label from this screen's groups or the shared ones. */
export function label(group: ServiceLabelGroup | LabelGroup, code: string | null | undefined): string {
  if (code == null) return "—";
  if (group in SERVICE_LABELS) {
    const found = (SERVICE_LABELS[group as ServiceLabelGroup] as Labels)[code];
    return found ? found[currentLocale() === "en" ? 1 : 0] : code;
  }
  return shared(group as LabelGroup, code);
}

/** What the API's state machine allows from each status (functions/vocabulary.py), in button order. */
export const REQUEST_TRANSITIONS: Record<string, [action: "accept" | "start" | "complete" | "decline", to: string][]> = {
  submitted: [["accept", "accepted"], ["decline", "declined"]],
  accepted: [["start", "in_service"], ["decline", "declined"]],
  in_service: [["complete", "completed"]],
  completed: [],
  declined: [],
};

export const REQUEST_TAG: Record<string, "info" | "warning" | "success" | "danger" | "primary"> = {
  submitted: "warning", accepted: "info", in_service: "info", completed: "success", declined: "info",
};
