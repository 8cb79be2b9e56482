// The incident's closed loop as the API runs it (functions/vocabulary.py INCIDENT_TRANSITIONS) and who
// may take each step (functions/grid_work/incidents.py _authorise_action). The screen only offers what
// these allow; the API still decides, and a refusal (409, 403) is shown as its problem.
import { can, session } from "../../session";
import type { Incident } from "./places";

export type Action = "accept" | "dispatch" | "start" | "resolve" | "verify" | "close" | "reject" | "escalate";

export const TRANSITIONS: Record<string, Partial<Record<Action, string>>> = {
  reported: { accept: "accepted", reject: "rejected", escalate: "reported" },
  accepted: { dispatch: "dispatched", escalate: "accepted" },
  dispatched: { start: "in_progress", escalate: "dispatched" },
  in_progress: { resolve: "resolved", escalate: "in_progress" },
  resolved: { verify: "verified" },
  verified: { close: "closed" },
  closed: {},
  rejected: {},
};

const LEVELS = ["grid", "community", "street", "district"];
const STAFF_ACTIONS: Action[] = ["accept", "reject", "dispatch", "verify", "close"];

/** What each action asks for before it is sent. */
export const NEEDS: Partial<Record<Action, { assignee?: boolean; note: "required" | "optional" }>> = {
  dispatch: { assignee: true, note: "optional" },
  escalate: { note: "required" },
  reject: { note: "required" },
};

/** Whether the signed-in user's roles and scope let them take `action` on this incident. */
function mayTake(incident: Incident, action: Action): boolean {
  const me = session.me;
  if (!me) return false;
  const roles: readonly string[] = me.roles;
  if (roles.includes("district_admin")) return true;
  const high = incident.level === "street" || incident.level === "district";
  const staff = (roles.includes("community_staff") && (me.communities ?? []).includes(incident.community_id) && !high)
    || (roles.includes("street_staff") && Boolean(incident.street_id) && (me.streets ?? []).includes(incident.street_id!)
      && incident.level === "street");
  if (STAFF_ACTIONS.includes(action)) return staff;
  const worker = roles.includes("grid_worker") && (me.grids ?? []).includes(incident.grid_id);
  const assignee = incident.assignee === me.sub && (action === "start" || action === "resolve");
  return staff || worker || assignee;
}

/** The actions to offer now: those the loop allows from the current status, that the user's roles
 * may call the transition route for, and that their scope lets them take. */
export function actionsFor(incident: Incident): Action[] {
  if (!can("POST /v1/incidents/{incident_id}/transitions")) return [];
  const allowed = Object.keys(TRANSITIONS[incident.status] ?? {}) as Action[];
  return allowed
    .filter((a) => a !== "escalate" || incident.level !== LEVELS[LEVELS.length - 1])
    .filter((a) => mayTake(incident, a));
}
