// Pages for clinic registry staff (#/registry). Staff sign in apart from patients (their token is kept apart);
// the clinic and the role come from the token: a receptionist sees the day list and marks attendance, the head of
// registry also publishes doctors' plans, records absences and reads the access journal, the city operator does
// all of it for any clinic. Each section is a tab (#/registry?tab=day|plan|absence|journal); the header names the
// clinic (GET /v1/clinics/{id}) and the role, never a code. Loaded only on #/registry (app.js), with its texts and
// its sections (registry-*.js): a patient's page never downloads them.
import { ApiError, config, load } from "./api.js";
import { t } from "./i18n.js";
import { absenceForm, planForm } from "./registry-forms.js";
import { dayList } from "./registry-day.js";
import { journal } from "./registry-journal.js";
import {
  chooseClinic, failure, field, fieldError, input, note, ROLES, select, session, show, signedIn, signOut, STAFF_TOKEN_KEY,
} from "./registry-common.js";
import "./registry-texts.js";
import { state } from "./state.js";
import { h } from "./ui.js";

const TABS = { receptionist: ["day"], head: ["day", "plan", "absence", "journal"], city: ["day", "plan", "absence", "journal"] };
const SECTIONS = { day: dayList, plan: planForm, absence: absenceForm, journal };
const CLINIC_ID = /^[a-z0-9]{2,24}$/;

/** The route's view (app.js): the staff pages in the page's <main>. */
export function viewStaff(_params, query) {
  return viewRegistry(document.getElementById("main"), query);
}

/** The staff pages. `main` is the page's <main>; `query` the hash's query (?tab=). */
export function viewRegistry(main, query = new URLSearchParams(location.hash.split("?")[1] || "")) {
  document.title = `${t("regTitle")} — ${t("appTitle")}`;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("regTitle"));
  const body = h("div", { class: "page-body" });
  main.replaceChildren(h("section", { class: "page registry", "aria-labelledby": "page-title" }, heading, body));
  if (!state.firstRender) heading.focus();
  state.firstRender = false;
  const again = () => viewRegistry(main, query);
  const s = session();
  if (!s) return signIn(body, again);
  if (!s.clinicId) return cityChoice(body, again);
  const tabs = TABS[s.role] || TABS.receptionist;
  const asked = query.get("tab");
  const tab = SECTIONS[asked] ? asked : "day"; // a tab the role lacks still opens: the API's 403 says why
  body.append(who(s, again));
  if (tabs.length > 1) body.append(tabNav(tabs, tab));
  body.append(SECTIONS[tab](s.clinicId, again));
  return undefined;
}

// ---------------------------------------------------------------- who is signed in
function who(s, again) {
  const name = h("span", { class: "clinic-name", dataset: { clinic: s.clinicId } }, "…");
  load.clinic(s.clinicId).then((c) => {
    name.textContent = c.name;
  }).catch(() => {
    name.textContent = s.clinicId; // the name could not be loaded: the code is better than nothing
  });
  const out = h("button", { type: "button", class: "button secondary", onclick: () => {
    signOut();
    again();
  } }, t("navSignOut"));
  const change = s.city ? h("button", { type: "button", class: "button secondary", onclick: () => {
    chooseClinic(null);
    again();
  } }, t("regChangeClinic")) : null;
  return h("div", { class: "reg-who" },
    h("p", {}, name, " · ", h("span", { class: "reg-role", dataset: { role: s.role } }, t(`regRole_${s.role}`))),
    h("p", { class: "actions" }, change, out));
}

function tabNav(tabs, current) {
  return h("nav", { class: "reg-tabs", "aria-label": t("regTabs") }, h("ul", {}, tabs.map((tab) => h("li", {},
    h("a", { href: `#/registry?tab=${tab}`, class: "button secondary", "aria-current": tab === current ? "page" : null },
      t(`regTab_${tab}`))))));
}

// ---------------------------------------------------------------- signing in
function signIn(body, again) {
  body.append(h("p", { class: "intro" }, t("regSignInIntro")));
  if (config.signIn === "oidc") return signInOidc(body);
  const role = select(ROLES.map((r) => [r, t(`regRole_${r}`)]), "receptionist", { name: "role" });
  const clinic = input({ name: "clinicId", value: "cl0101", autocapitalize: "none", spellcheck: "false" });
  const clinicField = field("reg-clinic", t("regClinicId"), clinic, t("regClinicIdHint"));
  const cityNote = h("p", { class: "meta", hidden: true }, t("regCityNoClinic"));
  role.addEventListener("change", () => {
    clinicField.hidden = role.value === "city";
    cityNote.hidden = role.value !== "city";
  });
  const out = h("div", {});
  const form = h("form", { class: "reg-signin", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const city = role.value === "city";
    const id = clinic.value.trim().toLowerCase();
    try {
      if (!city && !(await knownClinic(id))) {
        fieldError(clinic, t("regUnknownClinic", { id }));
        clinic.focus();
        return;
      }
      fieldError(clinic, null);
      signedIn(await localToken(city ? null : id, role.value), role.value);
      again();
    } catch (err) {
      show(out, err instanceof ApiError ? failure(err) : note("error", t("regSignInFailed")));
    }
  } }, field("reg-role", t("regRole"), role), clinicField, cityNote, out,
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regSignIn"))));
  body.append(form);
  return undefined;
}

/** Whether the clinic exists (GET /v1/clinics/{id}: 404 means it does not). */
async function knownClinic(id) {
  if (!CLINIC_ID.test(id)) return false;
  try {
    await load.clinic(id);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") return false;
    throw err;
  }
}

/** The local stack's staff token (POST /_local/token); it refuses a clinic it does not know. */
async function localToken(clinicId, role) {
  let res;
  try {
    res = await fetch(config.tokenEndpoint, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(clinicId ? { staff: true, clinicId, role } : { staff: true, role }) });
  } catch {
    throw new ApiError("network");
  }
  if (!res.ok) throw new Error("sign-in refused");
  return (await res.json()).token;
}

/** Deployed: the OIDC provider's staff client (config.json `staff`: {clientId, scope?, authorizationEndpoint?,
 * tokenEndpoint?}, or `staffClientId`/`staffScope`); the clinic and the role are its token's claims. */
function staffOidc() {
  const s = config.staff || config.staffSignIn;
  if (s && typeof s === "object" && s.clientId) return { ...config, ...s };
  if (config.staffClientId) return { ...config, clientId: config.staffClientId, scope: config.staffScope || config.scope };
  return null;
}

function signInOidc(body) {
  const oidc = staffOidc();
  if (!oidc) {
    body.append(note("error", t("regNoOidc")));
    return undefined;
  }
  const go = () => import("./oidc.js").then((m) => m.signInOidc(oidc, "#/registry", { tokenKey: STAFF_TOKEN_KEY }));
  body.append(h("p", { class: "actions" }, h("button", { type: "button", class: "button primary", onclick: go }, t("regSignInOidc"))));
  return undefined;
}

// ---------------------------------------------------------------- the city operator's clinic
function cityChoice(body, again) {
  const clinic = input({ name: "clinicId", autocapitalize: "none", spellcheck: "false" });
  const out = h("div", {});
  const form = h("form", { class: "reg-signin", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const id = clinic.value.trim().toLowerCase();
    try {
      if (!(await knownClinic(id))) {
        fieldError(clinic, t("regUnknownClinic", { id }));
        clinic.focus();
        return;
      }
      chooseClinic(id);
      again();
    } catch (err) {
      show(out, failure(err));
    }
  } }, field("reg-city-clinic", t("regCityChoose"), clinic, t("regClinicIdHint")), out,
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regChoose"))));
  const out2 = h("button", { type: "button", class: "button secondary", onclick: () => {
    signOut();
    again();
  } }, t("navSignOut"));
  body.append(h("div", { class: "reg-who" }, h("p", {}, t("regRole_city")), h("p", { class: "actions" }, out2)),
    h("p", { class: "intro" }, t("regCityIntro")), form);
  return undefined;
}
