// The phone's send queue (IndexedDB): every action a worker or resident takes is stored here first,
// with its own Idempotency-Key made when it was taken, and photos as blobs. `drain()` sends the queue
// in order when there is a network: each request replayed with its key, so one that reached the
// server before the signal dropped is answered again, never applied twice. A 409 (someone else moved
// the incident) and any other refusal stay in the queue, shown with the API's problem, until the
// worker resolves them; nothing is lost across restarts.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { ref } from "vue";
import { apiUrl, TOKEN_KEY } from "../api/client";
import { currentLocale } from "../i18n";
import type { Problem } from "../problem";

export type ActionState = "waiting" | "sending" | "conflict" | "refused";

export interface QueuedAction {
  id: string; // also the Idempotency-Key of the main request
  createdAt: string;
  summary: string; // what the worker sees in the queue ("上报：楼道堆物")
  method: "POST" | "PATCH";
  path: string;
  body: Record<string, unknown>;
  photos: Blob[]; // uploaded first (POST /v1/uploads, then PUT), then named in body.photos
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

/** Store an action (its key made now) and try to send the queue. */
export async function enqueue(action: Omit<QueuedAction, "id" | "createdAt" | "state">): Promise<QueuedAction> {
  // plain data only: IndexedDB cannot store Vue's reactive proxies
  const stored: QueuedAction = { ...action, body: plain(action.body), photos: [...action.photos], id: newKey(),
    createdAt: new Date().toISOString(), state: "waiting" };
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
 * another request), keeping its place in the queue. */
export async function retry(id: string, body?: Record<string, unknown>): Promise<void> {
  const database = await db();
  const action = await database.get("queue", id);
  if (!action) return;
  const again: QueuedAction = { ...action, body: body ? plain(body) : action.body, state: "waiting", problem: undefined, current: undefined };
  if (body) {
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

export async function recall<T>(key: string): Promise<{ at: string; value: T } | null> {
  const found = await (await db()).get("cache", key);
  return found ? { at: found.at, value: found.value as T } : null;
}

class Offline extends Error {}

async function send(method: string, path: string, key: string, body: unknown): Promise<Response> {
  const token = localStorage.getItem(TOKEN_KEY);
  try {
    return await fetch(apiUrl(path), {
      method,
      headers: {
        "Content-Type": "application/json", "Idempotency-Key": key,
        "Accept-Language": currentLocale() === "en" ? "en" : "zh-CN",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Offline();
  }
}

async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Upload the action's photos (each with a key derived from the action's, so a replay gets the same
 * ticket), returning their storage keys. */
async function uploadPhotos(action: QueuedAction): Promise<{ key: string }[]> {
  const keys: { key: string }[] = [];
  for (const [i, photo] of action.photos.entries()) {
    const ticket = await send("POST", "/v1/uploads", `${action.id}-photo-${i}`, {
      purpose: action.photoPurpose ?? "incident_photo", filename: `photo-${i + 1}.jpg`, content_type: photo.type || "image/jpeg",
      size: photo.size, sha256: await sha256(photo),
    });
    if (!ticket.ok) throw ticket;
    const { key, url, headers } = (await ticket.json()) as { key: string; url: string; headers: Record<string, string> };
    let put: Response;
    try {
      put = await fetch(url, { method: "PUT", headers, body: photo });
    } catch {
      throw new Offline();
    }
    if (!put.ok) throw new Offline(); // the store refused or dropped it: try again later
    keys.push({ key });
  }
  return keys;
}

let draining: Promise<void> | null = null;

/** Send everything waiting, oldest first; stops at the first network failure (still offline). */
export function drain(): Promise<void> {
  draining ??= (async () => {
    try {
      for (const action of await queued()) {
        if (action.state !== "waiting") continue;
        if (!(await sendOne(action))) break;
      }
    } finally {
      draining = null;
      await recount();
    }
  })();
  return draining;
}

async function sendOne(action: QueuedAction): Promise<boolean> {
  const database = await db();
  try {
    const body = action.photos.length ? { ...action.body, photos: await uploadPhotos(action) } : action.body;
    const answer = await send(action.method, action.path, action.id, body);
    if (answer.ok) {
      await database.delete("queue", action.id);
      return true;
    }
    throw answer;
  } catch (failure) {
    if (failure instanceof Offline) return false;
    if (failure instanceof Response) {
      if (failure.status === 401 || failure.status >= 500 || failure.status === 429) return false; // later
      const problem = (await failure.json().catch(() => ({ title: String(failure.status) }))) as Problem;
      const current = failure.status === 409 ? await currentState(action.path) : undefined;
      await database.put("queue", { ...action, state: failure.status === 409 ? "conflict" : "refused", problem, current });
      return true; // kept for the worker; the rest of the queue goes on
    }
    return false;
  }
}

/** On a conflict, the object as the server has it now (the transition's incident). */
async function currentState(path: string): Promise<unknown> {
  const object = path.replace(/\/(transitions|rating)$/, "");
  if (object === path) return undefined;
  const token = localStorage.getItem(TOKEN_KEY);
  try {
    const answer = await fetch(apiUrl(object), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
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
