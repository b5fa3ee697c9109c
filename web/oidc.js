// Signing in with the OIDC provider when deployed (authorization code with PKCE); its ID token is what the HttpApi
// JWT authorizer checks. Loaded only when it is used: the sign-in button, or the provider's redirect back.
import { auth } from "./api.js";

function randomString(bytes = 32) {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

/** Go to the provider's login page. config: authorizationEndpoint, clientId, scope (and tokenEndpoint). `tokenKey`:
 * where the ID token is kept when it is not a patient's (the staff pages' own client, web/registry.js). */
export async function signInOidc(config, returnTo, { tokenKey = null } = {}) {
  const verifier = randomString();
  const state = randomString(16);
  sessionStorage.setItem("zapis.oidc", JSON.stringify({ verifier, state, returnTo, tokenKey,
    clientId: config.clientId, tokenEndpoint: config.tokenEndpoint }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope || "openid profile email",
    state,
    code_challenge: await challenge(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/** Back from the provider with ?code=&state=: trade the code for tokens, keep the ID token. The page's
 * Content-Security-Policy lets it connect to the token endpoint's origin only (template.yaml, SignInOrigin). */
export async function completeOidc(config) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return null;
  const pending = JSON.parse(sessionStorage.getItem("zapis.oidc") || "null");
  sessionStorage.removeItem("zapis.oidc");
  history.replaceState(null, "", redirectUri() + location.hash);
  if (!pending || pending.state !== params.get("state")) return null;
  const res = await fetch(pending.tokenEndpoint || config.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      client_id: pending.clientId || config.clientId,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) return null;
  const tokens = await res.json();
  if (tokens.id_token && pending.tokenKey) sessionStorage.setItem(pending.tokenKey, tokens.id_token);
  else if (tokens.id_token) auth.store(tokens.id_token);
  return pending.returnTo || "#/";
}
