// What the deployment tells the page (`/config.json`, written at deploy time next to index.html):
// where the API is, how users sign in, and an optional tile layer for the map. Locally the build's
// own `public/config.json` says: the API on this origin, the local server's sign-in page, no tiles.

export interface LocalAuth {
  mode: "local";
}

/** Cognito's hosted UI, or (mode "oidc", the China regions) the OpenID Connect provider the stack names. */
export interface CognitoAuth {
  mode: "cognito" | "oidc";
  authority: string; // https://cognito-idp.<region>.amazonaws.com/<pool id>, or the provider's issuer
  clientId: string;
  domain?: string; // Cognito's hosted UI domain, for its own logout endpoint
}

export interface TileLayer {
  url: string; // e.g. 天地图's WMTS template with the deployment's key
  attribution: string;
  subdomains?: string;
}

export interface ConsoleConfig {
  apiBase: string;
  auth: LocalAuth | CognitoAuth;
  tiles: TileLayer | null;
}

let loaded: ConsoleConfig | null = null;

const KEPT = "gongjian.config";
const LOCAL: ConsoleConfig = { apiBase: "", auth: { mode: "local" }, tiles: null };

/** The deployment's config; offline (the field app), the copy kept from the last time it was read. */
export async function loadConfig(): Promise<ConsoleConfig> {
  if (!loaded) {
    try {
      const response = await fetch("/config.json", { cache: "no-cache" });
      loaded = response.ok ? ((await response.json()) as ConsoleConfig) : LOCAL;
      localStorage.setItem(KEPT, JSON.stringify(loaded));
    } catch {
      const kept = localStorage.getItem(KEPT);
      loaded = kept ? (JSON.parse(kept) as ConsoleConfig) : LOCAL;
    }
  }
  return loaded;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error("loadConfig() first");
  return loaded;
}
