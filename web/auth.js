// Signing in. Locally: the stack's token endpoint issues a demo patient's token. Deployed: the real OIDC
// provider (authorization code with PKCE); its ID token is what the HttpApi JWT authorizer checks.
const KEY = "zapis.token";

function decode(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** The token, if there is one that has not expired. Kept for the tab only (sessionStorage). */
export function bearer() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  const payload = decode(token);
  if (!payload || (payload.exp && payload.exp * 1000 < Date.now() + 30_000)) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return token;
}

export function claims() {
  const token = bearer();
  return token ? decode(token) : null;
}

export function signedIn() {
  return bearer() !== null;
}

export function displayName(c = claims()) {
  if (!c) return "";
  return [c.family_name, c.given_name, c.middle_name].filter(Boolean).join(" ");
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export function store(token) {
  sessionStorage.setItem(KEY, token);
}

/** Local stack: POST the demo patient's policy number to the token endpoint. */
export async function signInLocal(config, policyNumber) {
  const res = await fetch(config.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ policyNumber: policyNumber.replace(/[\s-]/g, "") }),
  });
  if (!res.ok) throw new Error("sign-in refused");
  const { token } = await res.json();
  store(token);
}

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

/** Deployed: go to the provider's login page. config: authorizationEndpoint, clientId, scope. */
export async function signInOidc(config, returnTo) {
  const verifier = randomString();
  const state = randomString(16);
  sessionStorage.setItem("zapis.oidc", JSON.stringify({ verifier, state, returnTo }));
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

/** Back from the provider with ?code=&state=: trade the code for tokens, keep the ID token. */
export async function completeOidc(config) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return null;
  const pending = JSON.parse(sessionStorage.getItem("zapis.oidc") || "null");
  sessionStorage.removeItem("zapis.oidc");
  history.replaceState(null, "", redirectUri() + location.hash);
  if (!pending || pending.state !== params.get("state")) return null;
  const res = await fetch(config.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      client_id: config.clientId,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) return null;
  const tokens = await res.json();
  if (tokens.id_token) store(tokens.id_token);
  return pending.returnTo || "#/";
}
