// Who is signed in, kept on the phone: the session survives going offline (the token stays in
// localStorage; the last /v1/me answer stands in for the API until the network is back).
import { loadMe, session, type Me } from "../session";

const ME_KEY = "gongjian.field.me";

export async function whoAmI(): Promise<Me | null> {
  if (session.me) return session.me;
  const fresh = navigator.onLine ? await loadMe() : null;
  if (fresh) {
    localStorage.setItem(ME_KEY, JSON.stringify(fresh));
    return fresh;
  }
  const kept = localStorage.getItem(ME_KEY);
  if (kept && !(session.problem?.status === 401)) {
    session.problem = null;
    session.me = JSON.parse(kept) as Me;
  }
  return session.me;
}

export function isResident(): boolean {
  const roles = session.me?.roles ?? [];
  return roles.includes("resident") && !roles.includes("grid_worker");
}
