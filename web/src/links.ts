// Where the console shows an object the API names by its route (a task's or notification's `link`).
// Each screen owns the console paths on the right; keep them in step with its routes.ts.
const SCREENS_OF: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^\/v1\/incidents\/([^/]+)/, (m) => `/incidents/${m[1]}`],
  [/^\/v1\/meetings\/([^/]+)/, (m) => `/meetings/${m[1]}`],
  [/^\/v1\/actions\/([^/]+)/, (m) => `/meetings/actions/${m[1]}`],
  [/^\/v1\/pairings/, () => "/organisations/pairings"],
  [/^\/v1\/calendars/, () => "/settings/calendar"],
  [/^\/v1\/volunteer-activities/, () => "/services/volunteer"],
  [/^\/v1\/assessments/, () => "/assessments/appeals"],
];

/** The console path for an API route, or null when no screen shows it. */
export function consolePath(apiLink: string | null | undefined): string | null {
  for (const [pattern, to] of SCREENS_OF) {
    const m = apiLink?.match(pattern);
    if (m) return to(m);
  }
  return null;
}
