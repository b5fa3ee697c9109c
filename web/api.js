// The HTTP API: one place that knows the base address, the language header, the signed-in patient's token, the
// error shape, and the reference data of the booking steps (districts, clinics, specialties, doctors).
// Signing in with the OIDC provider (deployed) is in oidc.js, loaded only when it is used.
import { lang } from "./i18n.js";

export const config = { apiBase: "", signIn: "local", tokenEndpoint: "/_local/token" };

export async function loadConfig() {
  // Written by infra/publish_web.py on deploy; served by the local stack in development.
  try {
    const res = await fetch("config.json", { cache: "no-cache" });
    if (res.ok) Object.assign(config, await res.json());
  } catch {
    /* keep the local defaults */
  }
  config.apiBase = (config.apiBase || "").replace(/\/$/, "");
}

// ---------------------------------------------------------------- the signed-in patient's token
// Locally the stack's token endpoint issues a demo patient's token; deployed, the OIDC provider's ID token (what
// the HttpApi JWT authorizer checks). Kept for the tab only (sessionStorage).
const TOKEN = "zapis.token";

/** A JWT's claims (no signature check: the API checks it), or null for anything else. */
export function decode(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** The token, if there is one that has not expired. */
function bearer() {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  const payload = decode(token);
  if (!payload || (payload.exp && payload.exp * 1000 < Date.now() + 30_000)) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  return token;
}

function claims() {
  const token = bearer();
  return token ? decode(token) : null;
}

/** Local stack: POST the demo patient's policy number to the token endpoint. */
async function signInLocal(policyNumber) {
  const res = await fetch(config.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ policyNumber: policyNumber.replace(/[\s-]/g, "") }),
  });
  if (!res.ok) throw new Error("sign-in refused");
  const { token } = await res.json();
  sessionStorage.setItem(TOKEN, token);
}

export const auth = {
  bearer,
  claims,
  signedIn: () => bearer() !== null,
  displayName: (c = claims()) => (c ? [c.family_name, c.given_name, c.middle_name].filter(Boolean).join(" ") : ""),
  signOut: () => sessionStorage.removeItem(TOKEN),
  store: (token) => sessionStorage.setItem(TOKEN, token),
  signInLocal,
};

// ---------------------------------------------------------------- requests
/** A refusal or failure, with the contract's error code ("network" when no answer came). */
export class ApiError extends Error {
  constructor(code, status = 0, message = "", details = null) {
    super(code);
    this.code = code;
    this.status = status;
    this.serverMessage = message;
    this.details = details;
  }

  /** Worth a retry button: nothing was decided by the server. */
  get retryable() {
    return ["network", "unavailable", "rate_limited"].includes(this.code) || this.status >= 500;
  }
}

/**
 * API Gateway answers some requests itself, with `{"message": "..."}` instead of the contract's error
 * (README, "Answers from API Gateway itself"): the status tells which contract code it stands for.
 */
const GATEWAY_CODES = { 401: "unauthorized", 403: "forbidden", 413: "payload_too_large", 429: "rate_limited" };

export function gatewayCode(status) {
  return GATEWAY_CODES[status] || (status >= 500 ? "unavailable" : "unknown");
}

const cache = new Map();
let serverDate = null;

/** The server's clock as of the last answer (its Date header), or null: deadlines are kept in its time. */
export function serverNow() {
  return serverDate;
}

/**
 * One request. `auth: true` sends the signed-in patient's token. GETs are cached for a short while,
 * per language, so going back a step is instant; `fresh: true` skips the cache (free slots); `keepalive: true`
 * lets the request finish after the page is gone.
 */
export async function api(method, path, { body, auth: signed = false, headers = {}, fresh = false, keepalive = false } = {}) {
  const key = `${lang()} ${path}`;
  if (method === "GET" && !fresh && !signed) {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < 30_000) return hit.data;
  }
  const sent = { Accept: "application/json", "Accept-Language": lang(), ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (signed) {
    const token = bearer();
    if (!token) throw new ApiError("unauthorized", 401);
    sent.Authorization = `Bearer ${token}`;
  }
  let res;
  try {
    res = await fetch(config.apiBase + path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: keepalive ? undefined : AbortSignal.timeout(20_000),
      keepalive, // sent even when the page is closing (releasing a hold on pagehide)
    });
  } catch {
    throw new ApiError("network");
  }
  const date = Date.parse(res.headers.get("Date") || "");
  serverDate = Number.isNaN(date) ? null : date;
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error;
    const code = err && err.code ? err.code : gatewayCode(res.status);
    if (code === "unauthorized") auth.signOut();
    throw new ApiError(code, res.status, err ? err.message : "", err ? err.details : null);
  }
  if (method === "GET" && !signed) cache.set(key, { at: Date.now(), data });
  return data;
}

export function forget(prefix) {
  for (const key of cache.keys()) if (key.includes(prefix)) cache.delete(key);
}

// ---------------------------------------------------------------- reference data of the booking steps
const enc = encodeURIComponent;

export const load = {
  districts: () => api("GET", "/v1/districts").then((r) => r.items),
  clinics: (d) => api("GET", `/v1/districts/${enc(d)}/clinics`).then((r) => r.items),
  clinic: (c) => api("GET", `/v1/clinics/${enc(c)}`),
  specialties: (c, fresh = false) => api("GET", `/v1/clinics/${enc(c)}/specialties`, { fresh }).then((r) => r.items),
  doctors: (c, s, fresh = false) =>
    api("GET", `/v1/clinics/${enc(c)}/specialties/${enc(s)}/doctors`, { fresh }).then((r) => r.items),
};

export function notFound() {
  return new ApiError("not_found", 404);
}
