// The HTTP API: one place that knows the base address, the language header, the token and the error shape.
import { lang } from "./i18n.js";
import { bearer, signOut } from "./auth.js";

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
export async function api(method, path, { body, auth = false, headers = {}, fresh = false, keepalive = false } = {}) {
  const key = `${lang()} ${path}`;
  if (method === "GET" && !fresh && !auth) {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < 30_000) return hit.data;
  }
  const sent = { Accept: "application/json", "Accept-Language": lang(), ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (auth) {
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
    const code = err && err.code ? err.code : res.status >= 500 ? "unavailable" : "unknown";
    if (code === "unauthorized") signOut();
    throw new ApiError(code, res.status, err ? err.message : "", err ? err.details : null);
  }
  if (method === "GET" && !auth) cache.set(key, { at: Date.now(), data });
  return data;
}

export function forget(prefix) {
  for (const key of cache.keys()) if (key.includes(prefix)) cache.delete(key);
}
