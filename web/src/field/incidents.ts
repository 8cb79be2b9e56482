// Incidents as the phone keeps them: each one read online is kept, and the ones behind the worker's
// tasks are read ahead while there is signal, so 处理 opens them in a basement too.
import { api } from "../api/client";
import type { components } from "../api/schema";
import { forget, recall, remember } from "./queue";

export type Incident = components["schemas"]["incident"];

const READ_AHEAD = 50;
const KEEP_DAYS = 7;
const PREFIX = "incident:";

function key(id: string): string {
  return `${PREFIX}${id}`;
}

/** The incident from the API (and kept); throws when there is no network. */
export async function fetchIncident(id: string): Promise<{ data?: Incident; error?: unknown }> {
  const answer = await api.GET("/v1/incidents/{incident_id}", { params: { path: { incident_id: id } } });
  if (answer.data) await remember(key(id), answer.data);
  return answer;
}

/** The copy kept on the phone, with when it was kept. */
export async function keptIncident(id: string): Promise<{ at: string; value: Incident } | null> {
  return recall<Incident>(key(id));
}

/** Read ahead the incidents of a task list (stops quietly when the signal goes), and drop kept ones
 * no longer on it after a week. */
export async function keepIncidents(ids: string[]): Promise<void> {
  await forget(PREFIX, new Set(ids.map(key)), KEEP_DAYS);
  for (const id of ids.slice(0, READ_AHEAD)) {
    try {
      await fetchIncident(id);
    } catch {
      return;
    }
  }
}
