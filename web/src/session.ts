// Who is signed in: the bearer token (this browser's), the caller as the API sees it (`/v1/me`), and
// what their roles let them open (`can`, from the API's own x-roles: see api/access.ts).
import { reactive } from "vue";
import { ACCESS, type Operation } from "./api/access";
import { TOKEN_KEY, api } from "./api/client";
import type { components } from "./api/schema";
import { config } from "./config";
import { asProblem, type Problem } from "./problem";

export type Me = components["schemas"]["me"];

export const session = reactive({
  token: localStorage.getItem(TOKEN_KEY),
  me: null as Me | null,
  problem: null as Problem | null,
});

export function signedIn(): boolean {
  return session.token !== null;
}

/** Keep a token for this browser (the sign-in page, the identity provider's callback, a renewal). */
export function useToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  session.token = token;
  session.me = null;
}

/** The caller as the API sees the token; null (and `session.problem`) when it is refused. */
export async function loadMe(): Promise<Me | null> {
  if (session.me) return session.me;
  try {
    const { data, error } = await api.GET("/v1/me");
    session.problem = error ? asProblem(error) : null;
    session.me = data ?? null;
  } catch (thrown) {
    session.problem = asProblem(thrown);
  }
  return session.me;
}

/** May the signed-in user call this operation? (The API still decides; this only hides what it would refuse.) */
export function can(operation: Operation): boolean {
  const roles: readonly string[] = session.me?.roles ?? [];
  return (ACCESS[operation] as readonly string[]).some((role) => roles.includes(role));
}

export function hasRole(...roles: string[]): boolean {
  return roles.some((role) => session.me?.roles.includes(role as never));
}

/** Sign out: forget everything this browser kept (tokens, drafts, caches), then leave through the
 * identity provider's sign-out when there is one. */
export async function signOut(): Promise<void> {
  localStorage.clear();
  sessionStorage.clear();
  // every cache but the field app's precached shell (its own files, no one's data): it must still open offline
  if ("caches" in window) for (const name of await caches.keys()) if (!name.startsWith("workbox-precache")) await caches.delete(name);
  if (indexedDB.databases) for (const db of await indexedDB.databases()) if (db.name) indexedDB.deleteDatabase(db.name);
  session.token = null;
  session.me = null;
  const auth = config().auth;
  if (auth.mode !== "local") {
    const { signOutAtProvider } = await import("./auth/oidc");
    await signOutAtProvider(auth, useToken);
  } else {
    location.assign(`${import.meta.env.BASE_URL}sign-in`); // the console's, or the field app's
  }
}
