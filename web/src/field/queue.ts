// The phone's send queue (IndexedDB): every action a worker or resident takes is stored here first,
// with its own Idempotency-Key made when it was taken, and photos as blobs. `drain()` sends the queue
// in order when there is a network: each request replayed with its key and the same body (a photo's
// storage key is kept once its upload succeeded, so a replay names the same photos), so one that
// reached the server before the signal dropped is answered again, never applied twice. A 409 (someone
// else moved the incident) and any other refusal stay in the queue, shown with the API's problem,
// until the worker resolves them; nothing is lost across restarts. One window sends at a time.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { ref } from "vue";
import { apiUrl, TOKEN_KEY } from "../api/client";
import { currentLocale } from "../i18n";
import type { Problem } from "../problem";

export type ActionState = "waiting" | "conflict" | "refused";

export interface QueuedAction {
  id: string; // also the Idempotency-Key of the main request
  createdAt: string;
  actor?: string; // who took it: only their session sends it
  summary: string; // what the worker sees in the queue ("上报：楼道堆物")
  method: "POST" | "PATCH";
  path: string;
  body: Record<string, unknown>;
  photos: Blob[]; // uploaded first (POST /v1/uploads, then PUT), then named in body.photos
  uploaded?: string[]; // the storage keys of the photos already uploaded, in order
  photoPurpose?: string;
  state: ActionState;
  problem?: Problem;
  current?: unknown; // on a conflict: the object as the server has it now
}

interface FieldDB extends DBSchema {
  queue: { key: string; value: QueuedAction; indexes: { byCreated: string } };
  cache: { key: string; value: { key: string; at: string; value: unknown } };
}

const DB_NAME = "gongjian-field";
let opened: Promise<IDBPDatabase<FieldDB>> | null = null;

function db(): Promise<IDBPDatabase<FieldDB>> {
  opened ??= openDB<FieldDB>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore("queue", { keyPath: "id" }).createIndex("byCreated", "createdAt");
      database.createObjectStore("cache", { keyPath: "key" });
    },
  });
  return opened;
}

/** How many actions wait to be sent (the bar shows it on every screen). */
export const waiting = ref(0);
export const needsAttention = ref(0);
/** The server answered 401: the session ended. The queue waits for a new sign-in (never cleared). */
export const sessionExpired = ref(false);

async function recount(): Promise<void> {
  const all = await (await db()).getAll("queue");
  waiting.value = all.length;
  needsAttention.value = all.filter((a) => a.state === "conflict" || a.state === "refused").length;
}

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function newKey(): string {
  return crypto.randomUUID();
}

/** What the queue screen calls an action: "上报事件：楼道堆物" / "Report an incident: …" (the words of
 * the language in use when it was taken). */
export function summaryOf(what: string, detail: string): string {
  return currentLocale() === "en" ? `${what}: ${detail}` : `${what}：${detail}`;
}

/** Store an action (its key made now) and try to send the queue. */
export async function enqueue(action: Omit<QueuedAction, "id" | "createdAt" | "state" | "actor">): Promise<QueuedAction> {
  // plain data only: IndexedDB cannot store Vue's reactive proxies
  const stored: QueuedAction = { ...action, body: plain(action.body), photos: [...action.photos], id: newKey(),
    createdAt: new Date().toISOString(), state: "waiting", actor: currentActor() ?? undefined };
  await (await db()).put("queue", stored);
  await recount();
  void drain();
  return stored;
}

export async function queued(): Promise<QueuedAction[]> {
  return (await db()).getAllFromIndex("queue", "byCreated");
}

/** The worker gave up an action the server refused (or chose the server's state in a conflict). */
export async function discard(id: string): Promise<void> {
  await (await db()).delete("queue", id);
  await recount();
}

/** Send a refused action again: as it was (same key), or corrected (a new key: a corrected request is
 * another request; `withoutPhotos` drops photos the server refused), keeping its place in the queue. */
export async function retry(id: string, body?: Record<string, unknown>, withoutPhotos = false): Promise<void> {
  const database = await db();
  const action = await database.get("queue", id);
  if (!action) return;
  const again: QueuedAction = { ...action, body: body ? plain(body) : action.body, state: "waiting", problem: undefined, current: undefined };
  if (withoutPhotos) Object.assign(again, { photos: [], uploaded: [] });
  if (body || withoutPhotos) {
    await database.delete("queue", id);
    again.id = newKey();
  }
  await database.put("queue", again);
  await recount();
  await drain();
}

/** Keep a copy of an answer for reading offline (the task list, the categories). */
export async function remember(key: string, value: unknown): Promise<void> {
  await (await db()).put("cache", { key, at: new Date().toISOString(), value });
}

/** Drop kept copies under a prefix that are not in `keep` and older than `days` (the phone's storage
 * is not unlimited; what a worker no longer has to do need not stay). */
export async function forget(prefix: string, keep: Set<string>, days: number): Promise<void> {
  const tx = (await db()).transaction("cache", "readwrite");
  const before = Date.now() - days * 86400000;
  for (const item of await tx.store.getAll()) {
    if (item.key.startsWith(prefix) && !keep.has(item.key) && new Date(item.at).getTime() < before) await tx.store.delete(item.key);
  }
  await tx.done;
}

export async function recall<T>(key: string): Promise<{ at: string; value: T } | null> {
  const found = await (await db()).get("cache", key);
  return found ? { at: found.at, value: found.value as T } : null;
}

/** Not now: no network, a timeout, a 5xx or 429, or the session ended; the action waits. */
class TryLater extends Error {}

const TIMEOUT_MS = 30000; // a signal that carries nothing counts as none

/** The signed-in user's id, read from the token (the queue sends only their own actions). */
function currentActor(): string | null {
  const token = localStorage.getItem(TOKEN_KEY);
  try {
    return token ? (JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string }).sub ?? null : null;
  } catch {
    return null;
  }
}

function headers(key?: string): Record<string, string> {
  const token = localStorage.getItem(TOKEN_KEY);
  return {
    "Accept-Language": currentLocale() === "en" ? "en" : "zh-CN",
    ...(key ? { "Content-Type": "application/json", "Idempotency-Key": key } : {}),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  };
}

async function send(method: string, path: string, key: string, body: unknown): Promise<Response> {
  try {
    return await fetch(apiUrl(path), { method, headers: headers(key), body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new TryLater();
  }
}

async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A refusal the worker must see: the API's problem, or one made for a store that answered no problem. */
async function problemOf(answer: Response, title: readonly [string, string]): Promise<Problem> {
  const found = (await answer.json().catch(() => null)) as Problem | null;
  return found?.title ? found : { title: title[currentLocale() === "en" ? 1 : 0], detail: `HTTP ${answer.status}` };
}

class Refused extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
}

/** Upload the photos not yet uploaded, keeping each storage key in the stored action as soon as its
 * upload succeeds: a replay then names the very same photos. Returns every photo's key. */
async function uploadPhotos(action: QueuedAction): Promise<{ key: string }[]> {
  const database = await db();
  const uploaded = [...(action.uploaded ?? [])];
  for (const [i, photo] of action.photos.entries()) {
    if (uploaded[i]) continue;
    const ticket = await send("POST", "/v1/uploads", `${action.id}-photo-${i}`, {
      purpose: action.photoPurpose ?? "incident_photo", filename: `photo-${i + 1}.jpg`, content_type: photo.type || "image/jpeg",
      size: photo.size, sha256: await sha256(photo),
    });
    if (!ticket.ok) throw ticket;
    const { key, url, headers: signed } = (await ticket.json()) as { key: string; url: string; headers: Record<string, string> };
    let put: Response;
    try {
      put = await fetch(url, { method: "PUT", headers: signed, body: photo, signal: AbortSignal.timeout(TIMEOUT_MS * 4) });
    } catch {
      throw new TryLater();
    }
    if (put.status >= 400 && put.status < 500) throw new Refused(await problemOf(put, ["照片上传被拒绝", "The photo upload was refused"]));
    if (!put.ok) throw new TryLater();
    uploaded[i] = key;
    const stored = await database.get("queue", action.id);
    if (stored) await database.put("queue", { ...stored, uploaded });
  }
  return uploaded.map((key) => ({ key }));
}

let draining: Promise<void> | null = null;

/** Send everything waiting, oldest first, until the queue is empty or an action must wait (no
 * network, a 5xx, the session ended). One window at a time (a Web Lock), so two tabs never send the
 * same action at once; a pass repeats while actions were added during it. */
export function drain(): Promise<void> {
  draining ??= (async () => {
    try {
      const pass = async () => {
        let sent = true;
        while (sent) {
          sent = false;
          for (const action of await queued()) {
            if (action.state !== "waiting" || (action.actor && action.actor !== currentActor())) continue;
            if (!(await sendOne(action))) return;
            sent = true;
          }
        }
      };
      await (navigator.locks ? navigator.locks.request("gongjian-field-queue", pass) : pass());
    } finally {
      draining = null;
      await recount();
    }
  })();
  return draining;
}

/** Write an action's new state, unless it left the queue meanwhile (sent by another window, given up). */
async function keep(action: QueuedAction): Promise<void> {
  const tx = (await db()).transaction("queue", "readwrite");
  if (await tx.store.get(action.id)) await tx.store.put(action);
  await tx.done;
}

async function sendOne(action: QueuedAction): Promise<boolean> {
  const database = await db();
  try {
    const body = action.photos.length ? { ...action.body, photos: await uploadPhotos(action) } : action.body;
    const answer = await send(action.method, action.path, action.id, body);
    if (answer.ok) {
      sessionExpired.value = false;
      await database.delete("queue", action.id);
      return true;
    }
    throw answer;
  } catch (failure) {
    if (failure instanceof Refused) {
      await keep({ ...(await database.get("queue", action.id) ?? action), state: "refused", problem: failure.problem });
      return true;
    }
    if (!(failure instanceof Response)) return false; // TryLater, or the ticket's answer unreadable: later
    if (failure.status === 409 && action.method === "POST" && action.path === "/v1/patrols" && await mergePatrol(action)) {
      await database.delete("queue", action.id);
      return true;
    }
    if (failure.status === 401) sessionExpired.value = true;
    if (failure.status === 401 || failure.status >= 500 || failure.status === 429) return false; // later
    const problem = await problemOf(failure, ["请求被退回", "The request was refused"]);
    const current = failure.status === 409 ? await currentState(action.path) : undefined;
    await keep({ ...(await database.get("queue", action.id) ?? action), state: failure.status === 409 ? "conflict" : "refused",
      problem, current });
    return true; // kept for the worker; the rest of the queue goes on
  }
}

interface PatrolRecord { id: string; worker: string; date: string; version: number; findings: string[]; hours?: number;
  track?: { type: "LineString"; coordinates: [number, number][] } }

/** A second patrol of the same grid on the same day: the API keeps one record per worker, grid and
 * day, so this one is added to it (findings, hours, track). Safe to repeat: when the record already
 * holds this patrol's findings and last point, nothing is sent again. False when it cannot be done now. */
async function mergePatrol(action: QueuedAction): Promise<boolean> {
  const mine = action.body as { grid_id: string; date: string; findings: string[]; hours?: number;
    track?: { coordinates: [number, number][] } };
  try {
    const list = await fetch(apiUrl(`/v1/patrols?grid_id=${encodeURIComponent(mine.grid_id)}&limit=200`),
      { headers: headers(), signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!list.ok) return false;
    const day = ((await list.json()) as { items: PatrolRecord[] }).items
      .find((p) => p.date === mine.date && p.worker === action.actor);
    if (!day) return false;
    const points = mine.track?.coordinates ?? [];
    const last = points[points.length - 1];
    const had = day.track?.coordinates ?? [];
    const merged = mine.findings.every((f) => day.findings.includes(f))
      && (!last || had.some((p) => p[0] === last[0] && p[1] === last[1]));
    if (merged) return true;
    let track = [...had, ...points];
    while (track.length > 2000) track = track.filter((_, i) => i % 2 === 0 || i === track.length - 1);
    const patch = await fetch(apiUrl(`/v1/patrols/${day.id}`), {
      method: "PATCH", headers: { ...headers(), "Content-Type": "application/json" }, signal: AbortSignal.timeout(TIMEOUT_MS),
      body: JSON.stringify({ version: day.version, findings: [...day.findings, ...mine.findings.filter((f) => !day.findings.includes(f))],
        hours: Math.min(24, (day.hours ?? 0) + (mine.hours ?? 0)), ...(track.length >= 2 ? { track: { type: "LineString", coordinates: track } } : {}) }),
    });
    return patch.ok;
  } catch {
    return false;
  }
}

/** On a conflict, the object as the server has it now (the transition's incident). */
async function currentState(path: string): Promise<unknown> {
  const object = path.replace(/\/(transitions|rating)$/, "");
  if (object === path) return undefined;
  try {
    const answer = await fetch(apiUrl(object), { headers: headers(), signal: AbortSignal.timeout(TIMEOUT_MS) });
    return answer.ok ? await answer.json() : undefined;
  } catch {
    return undefined;
  }
}

const RETRY_MS = 10000;

/** Start: count what is stored, send it when the network is (or comes) back: on the browser's
 * `online` event, when the app comes to the front, and every 10 s while anything waits (a phone's
 * `online` is not always told, and a signal can come back without it). */
export async function startQueue(): Promise<void> {
  await recount();
  const tryNow = () => {
    if (waiting.value > needsAttention.value && navigator.onLine) void drain();
  };
  window.addEventListener("online", tryNow);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && tryNow());
  window.setInterval(tryNow, RETRY_MS);
  tryNow();
}
