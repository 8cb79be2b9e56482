// Sign-in in AWS: Cognito's hosted UI (or, in the China regions, the stack's OpenID Connect provider),
// authorization code with PKCE (oidc-client-ts), the ID token (it carries the district's claims) used
// as the bearer, renewed silently with the refresh token before it expires. Loaded only when
// config.json names a provider (`"mode": "cognito"` or `"oidc"`).
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { CognitoAuth } from "../config";

let manager: UserManager | null = null;

function users(auth: CognitoAuth, onToken: (token: string) => void): UserManager {
  if (!manager) {
    manager = new UserManager({
      authority: auth.authority,
      client_id: auth.clientId,
      redirect_uri: `${location.origin}${import.meta.env.BASE_URL}auth/callback`, // the console's, or the field app's
      response_type: "code",
      scope: "openid email profile",
      automaticSilentRenew: true,
      // localStorage: the refresh token outlives a closed app (an installed field app is closed daily)
      userStore: new WebStorageStateStore({ store: localStorage }),
    });
    manager.events.addUserLoaded((user: User) => {
      if (user.id_token) onToken(user.id_token);
    });
  }
  return manager;
}

/** Off to the hosted UI; it comes back to the app's auth/callback. */
export async function signIn(auth: CognitoAuth, next: string, onToken: (token: string) => void): Promise<void> {
  await users(auth, onToken).signinRedirect({ state: next });
}

/** The callback: the code exchanged (with the PKCE verifier) for tokens; where the user was going. */
export async function completeSignIn(auth: CognitoAuth, onToken: (token: string) => void): Promise<string> {
  const user = await users(auth, onToken).signinCallback();
  if (user?.id_token) onToken(user.id_token);
  return typeof user?.state === "string" ? user.state : "/";
}

/** Start silent renewal for a session that is already signed in (a reload keeps it going). */
export async function resume(auth: CognitoAuth, onToken: (token: string) => void): Promise<void> {
  const user = await users(auth, onToken).getUser();
  if (user?.id_token && !user.expired) onToken(user.id_token);
}

/** Leave the provider's session too: Cognito's own logout endpoint (it has no OIDC end-session
 * endpoint), or the provider's end-session endpoint; back to the sign-in page. */
export async function signOutAtProvider(auth: CognitoAuth, onToken: (token: string) => void): Promise<void> {
  const back = `${location.origin}${import.meta.env.BASE_URL}sign-in`;
  if (auth.mode === "cognito" && auth.domain) {
    location.assign(`https://${auth.domain}/logout?client_id=${encodeURIComponent(auth.clientId)}&logout_uri=${encodeURIComponent(back)}`);
    return;
  }
  await users(auth, onToken).signoutRedirect({ post_logout_redirect_uri: back });
}
