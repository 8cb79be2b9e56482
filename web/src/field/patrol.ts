// The patrol under way, as long as it lasts: not tied to the 巡查 screen, so the GPS track goes on
// while the worker reports a finding on 上报, and kept in localStorage so a reload or a restart
// resumes it. The screen is kept on with a wake lock, asked for again whenever the app comes back to
// the front (the browser drops it when the app is hidden).
import { computed, ref } from "vue";

export interface Patrol { gridId: string; gridName: string; startedAt: string; track: [number, number][]; findings: string[] }

const KEY = "gongjian.field.patrol";
export const MAX_POINTS = 2000; // the API's limit for a track
const MIN_STEP_M = 10; // a fix closer than this to the last point adds nothing to the track

export const patrol = ref<Patrol | null>(JSON.parse(localStorage.getItem(KEY) ?? "null") as Patrol | null);
export const gpsLost = ref(false);
export const points = computed(() => patrol.value?.track.length ?? 0);

type WakeLock = { release(): Promise<void> };
let watch = 0;
let lock: WakeLock | null = null;

function save(): void {
  if (patrol.value) localStorage.setItem(KEY, JSON.stringify(patrol.value));
  else localStorage.removeItem(KEY);
}

/** Metres between two [lon, lat] points (equirectangular: exact enough for steps of a few metres). */
function metres(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const x = (b[0] - a[0]) * rad * Math.cos(((a[1] + b[1]) / 2) * rad);
  return Math.hypot(x, (b[1] - a[1]) * rad) * 6371000;
}

/** Add a fix: skipped when within MIN_STEP_M of the last; at the limit, every other point is dropped
 * so the whole walk stays on the track at a coarser step. */
function addPoint(point: [number, number]): void {
  const track = patrol.value?.track;
  if (!track) return;
  if (track.length && metres(track[track.length - 1], point) < MIN_STEP_M) return;
  if (track.length >= MAX_POINTS) patrol.value!.track = track.filter((_, i) => i % 2 === 0 || i === track.length - 1);
  patrol.value!.track.push(point);
  save();
}

async function keepScreenOn(): Promise<void> {
  const wakeLock = (navigator as Navigator & { wakeLock?: { request(kind: "screen"): Promise<WakeLock> } }).wakeLock;
  if (!patrol.value || !wakeLock || document.visibilityState !== "visible") return;
  lock = await wakeLock.request("screen").catch(() => null);
}

function follow(): void {
  if (watch || !patrol.value) return;
  watch = navigator.geolocation.watchPosition((p) => {
    gpsLost.value = false;
    addPoint([Number(p.coords.longitude.toFixed(6)), Number(p.coords.latitude.toFixed(6))]);
  }, () => { gpsLost.value = true; }, { enableHighAccuracy: true, maximumAge: 10000 });
  void keepScreenOn();
}

function stopFollowing(): void {
  if (watch) navigator.geolocation.clearWatch(watch);
  watch = 0;
  void lock?.release();
  lock = null;
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && patrol.value) void keepScreenOn();
});

/** At app start: a patrol left running (a reload, a restart) goes on. */
export function resumePatrol(): void {
  follow();
}

export function startPatrol(grid: { id: string; name: string }): void {
  patrol.value = { gridId: grid.id, gridName: grid.name, startedAt: new Date().toISOString(), track: [], findings: [] };
  save();
  follow();
}

export function addFinding(text: string): void {
  if (!patrol.value || !text.trim()) return;
  patrol.value.findings.push(text.trim());
  save();
}

/** Stop recording and hand the patrol over (to the send queue); it is no longer under way. */
export function endPatrol(): Patrol | null {
  stopFollowing();
  const done = patrol.value;
  patrol.value = null;
  save();
  return done;
}
