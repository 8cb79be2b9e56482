// The local server's sign-in calls (infra/local/sign_in.py): the demo district's people, and a token
// for the one chosen. Only `make run` and the tests' server answer them; the app never does.
import { asProblem } from "../problem";

export interface Person {
  id: string;
  name: string;
  roles: string[];
  tenant: string | null;
}

/** The district's directory (the local server's demo district, or `tenant`), and the district's id. */
export async function people(tenant: string): Promise<{ tenant: string; items: Person[] }> {
  const response = await fetch(`/local/sign-in/users${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ""}`);
  const answer = await response.json();
  if (!response.ok) throw asProblem(answer);
  return answer as { tenant: string; items: Person[] };
}

/** A token for that person, minted by the local server. */
export async function tokenFor(tenant: string, person: Person): Promise<string> {
  const response = await fetch("/local/sign-in", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tenant, user: person.id }),
  });
  const answer = await response.json();
  if (!response.ok) throw asProblem(answer);
  return answer.token as string;
}

/** Where to go after signing in: `?next=` when it is a path of this site, else `fallback`. */
export function nextPath(wanted: unknown, fallback = "/"): string {
  return typeof wanted === "string" && wanted.startsWith("/") && !wanted.startsWith("//") ? wanted : fallback;
}
