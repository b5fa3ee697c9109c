// "Who is booking" (issue 12): a hold belongs to a patient, so the page asks for the policy, last name and
// birth date before the time is chosen (or takes the signed-in identity), keeps what was typed in this tab,
// and holds with it.
import { api, auth } from "./api.js";
import { t } from "./i18n.js";
import { store } from "./state.js";
import { badFields, clean, field, h } from "./ui.js";

export const WHO_FIELDS = [
  ["lastName", "lastName", true, { autocomplete: "family-name" }],
  ["birthDate", "birthDate", true, { type: "date", autocomplete: "bday", min: "1900-01-01" }],
  ["policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }],
  ["policySeries", "policySeries", false, { autocomplete: "off" }],
];

/** The identity typed in this tab (also the booking form's and the search's starting values). */
export function typed() {
  return { ...(store.get("form") || {}), ...(store.get("who") || {}) };
}

/** The "who is booking" fieldset, filled with what was typed; null when signed in (the token says who). */
export function whoForm() {
  if (auth.claims()) return null;
  const saved = typed();
  const form = h("form", { novalidate: true, class: "who-form", "aria-labelledby": "who-title" },
    h("h2", { id: "who-title" }, t("whoTitle")),
    h("p", { class: "meta" }, t("whoIntro")),
    WHO_FIELDS.map(([name, label, required, attrs]) => field(name, label, required, attrs, saved[name] || "")));
  form.addEventListener("input", () => store.set("who", read(form)));
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

function read(form) {
  return Object.fromEntries(WHO_FIELDS.map(([name]) => [name, clean(name, form.elements[name].value)]));
}

/** The identity from the fieldset, or null after marking its bad fields and focusing the first. */
export function identity(form) {
  if (!form) return null;
  const bad = badFields(form, WHO_FIELDS.map(([name, , required]) => [name, required]));
  if (bad.length) {
    bad[0].focus();
    return undefined;
  }
  const who = read(form);
  store.set("who", who);
  return Object.fromEntries(Object.entries(who).filter(([, v]) => v));
}

/** Hold `slotId` for the patient: signed in from the token (or for the child `familyMemberId` names, issue 29),
 * otherwise with the identity typed. */
export function holdFor(slotId, who = typed(), referralNumber = null, familyMemberId = null) {
  const referral = referralNumber ? { referralNumber } : {}; // a referral-only specialty (views/referral.js)
  const member = familyMemberId ? { familyMemberId } : {};
  if (auth.claims()) return api("POST", "/v1/me/holds", { body: { slotId, ...referral, ...member }, auth: true });
  const patient = Object.fromEntries(WHO_FIELDS.map(([name]) => [name, who[name]]).filter(([, v]) => v));
  return api("POST", "/v1/holds", { body: { slotId, patient, ...referral } });
}

/** The clinic a refused patient is attached to, as a way on (silent when the look-up finds nothing). */
export async function showAttachedClinic(box, policy) {
  try {
    const found = await api("POST", "/v1/attachment/lookup", { body: policy });
    const c = found.clinic;
    box.append(h("p", { class: "attached", dataset: { attached: c.id } }, t("attachedTo", { name: c.name }), " ",
      h("a", { href: `#/clinic/${c.id}`, class: "button secondary" }, t("bookThere"))));
  } catch {
    /* the register does not know the policy: the address look-up stays the way on */
  }
}
