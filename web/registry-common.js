// What the staff pages share: the staff member's session (a token kept apart from a patient's, its clinic and role
// from the token's claims), requests with it, messages that take the focus, form fields of the staff forms.
import { api, ApiError, decode } from "./api.js";
import { errorText, t } from "./i18n.js";
import { h } from "./ui.js";

const TOKEN = "zapis.staffToken";
const ROLE = "zapis.staffRole"; // the role asked for at the local sign-in, when the token has no role claim
const CLINIC = "zapis.staffClinic"; // the city operator's chosen clinic

export const STAFF_TOKEN_KEY = TOKEN;
export const ROLES = ["receptionist", "head", "city"];

/** The signed-in staff member: {token, role, clinicId (null: the city operator has not chosen one), city}, or
 * null. Deployed, the clinic and the role are the OIDC provider's claims (`clinic_id`/`staff_role`, or Cognito's
 * `custom:` spellings). */
export function session() {
  const token = sessionStorage.getItem(TOKEN);
  const claims = token ? decode(token) : null;
  if (!claims) {
    if (token) signOut();
    return null;
  } // an expired token is the API's 401, which asks to sign in again (the browser's clock may be off)
  const clinic = claims.clinic_id || claims["custom:clinic_id"] || null;
  const city = clinic === "city" || !clinic;
  const asked = sessionStorage.getItem(ROLE);
  const role = claims.staff_role || claims["custom:staff_role"] || (city ? "city" : asked || "head");
  return { token, role, city, clinicId: city ? sessionStorage.getItem(CLINIC) : clinic };
}

export function signedIn(token, role) {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(ROLE, role);
}

export function signOut() {
  for (const key of [TOKEN, ROLE, CLINIC]) sessionStorage.removeItem(key);
}

/** The city operator's clinic to work with (null: choose again). */
export function chooseClinic(clinicId) {
  if (clinicId) sessionStorage.setItem(CLINIC, clinicId);
  else sessionStorage.removeItem(CLINIC);
}

/** A request with the staff member's token; always fresh (never from the page's cache). */
export async function call(method, path, body) {
  const s = session();
  if (!s) throw new ApiError("unauthorized", 401);
  try {
    return await api(method, path, { body, fresh: true, headers: { Authorization: `Bearer ${s.token}` } });
  } catch (err) {
    if (err instanceof ApiError && err.code === "unauthorized") signOut();
    throw err;
  }
}

/** A message (kind: info, success, warn, error) that can take the focus: after an action the focus goes to its
 * result, never to <body>. */
export function note(kind, text, ...more) {
  return h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status", tabindex: "-1" },
    h("p", {}, text), ...more);
}

/** The message of a refusal on the staff pages: 403 says what the role may do, 401 asks to sign in again
 * (`again` re-renders the page), other codes say what the API says. */
export function failure(err, again = null) {
  const code = err instanceof ApiError ? err.code : "unknown";
  const box = note("error", code === "forbidden" ? t("regForbidden") : code === "unauthorized" ? t("regSessionEnded") : errorText(code));
  box.dataset.code = code;
  if (code === "unauthorized" && again) {
    box.append(h("p", {}, h("button", { type: "button", class: "button primary", onclick: again }, t("regSignInAgain"))));
  }
  return box;
}

/** Show `box` in `where` and focus it. */
export function show(where, box) {
  where.replaceChildren(box);
  box.focus();
  return box;
}

/** A labelled form field: `control` (an input or a select) with an optional hint and its error line. */
export function field(id, label, control, hint = null) {
  control.id = id;
  const described = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  return h("div", { class: "field" }, h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, control,
    h("p", { class: "field-error", id: `${id}-error` }));
}

/** Mark `control` wrong with `text` (or right with null). */
export function fieldError(control, text) {
  document.getElementById(`${control.id}-error`).textContent = text || "";
  if (text) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return Boolean(text);
}

export function input(attrs = {}) {
  return h("input", { type: "text", autocomplete: "off", ...attrs });
}

export function select(options, value = null, attrs = {}) {
  return h("select", attrs, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}
