// The patient's form while the chosen time is held for them, and the booking itself.
import { api, ApiError, auth, forget, serverNow } from "../api.js";
import { formatWhen, t } from "../i18n.js";
import { forgetReferral, go, onLeave, route, state, store } from "../state.js";
import { badFields, clean, countdown, field, fixErrors, h, messageBox, page, showFieldError } from "../ui.js";
import { holdFor, showAttachedClinic, typed } from "../who.js";
import { memberParam } from "./family.js";
import { ticketHash } from "./ticket.js";

export const FIELDS = [
  // name, label key, required, input attributes (the waiting list, views/waitlist.js, asks for the same)
  ["lastName", "lastName", true, { autocomplete: "family-name" }],
  ["firstName", "firstName", true, { autocomplete: "given-name" }],
  ["middleName", "middleName", false, { autocomplete: "additional-name" }],
  ["birthDate", "birthDate", true, { type: "date", autocomplete: "bday", min: "1900-01-01" }],
  ["policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }],
  ["policySeries", "policySeries", false, { autocomplete: "off" }],
  ["email", "email", true, { type: "email", autocomplete: "email", hint: "emailHint" }],
  ["phone", "phoneOpt", false, { type: "tel", autocomplete: "tel" }],
];

function releaseHold(flow, keepalive = false) {
  if (flow && flow.hold) api("DELETE", `/v1/holds/${encodeURIComponent(flow.hold.holdId)}`, { keepalive }).catch(() => {});
}

/** Hold the flow's slot again (after the page was hidden or reloaded, which released it); false if taken. */
async function holdAgain(flow) {
  try {
    const held = await holdFor(flow.slot.id, undefined, flow.referralNumber, memberParam(flow.member).familyMemberId);
    const skew = serverNow() === null ? 0 : Date.now() - serverNow();
    held.deadline = Date.parse(held.expiresAt) + skew - 1000;
    flow.hold = held;
    flow.released = false;
    flow.pending = null;
    store.set("flow", flow);
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return false;
  }
}

export async function viewBook() {
  const flow = store.get("flow");
  if (!flow) {
    go("#/");
    return;
  }
  const signed = auth.claims();
  const clinicStep = flow.clinic.districtId ? [[flow.clinic.districtName, `#/district/${flow.clinic.districtId}`]] : [];
  const { body } = page(t("formTitle"), {
    crumbs: [[t("home"), "#/"], ...clinicStep, [flow.clinic.name, `#/clinic/${flow.clinic.id}`],
      [flow.specialty.name, `#/clinic/${flow.clinic.id}/specialty/${flow.specialty.id}`], [flow.doctor.name, flow.back], [t("formTitle"), null]],
    intro: signed ? t(flow.member ? "formChildIntro" : "formSignedIntro") : t("formIntro"),
  });
  let form = null;
  let holding = true; // the hold is ours until it is booked or released
  const collect = () => Object.fromEntries(FIELDS.map(([name]) => [name, clean(name, form?.elements[name]?.value)]));
  const release = (keepalive = false) => {
    if (!holding) return;
    holding = false;
    releaseHold(flow, keepalive);
  };
  const backToTimes = (message) => {
    if (!signed && form) store.set("form", collect()); // typed data waits for the next try (this tab only)
    release();
    state.flash = message;
    store.set("day", flow.slot.start.slice(0, 10));
    go(flow.back);
  };
  if (flow.released && !(await holdAgain(flow))) {
    holding = false;
    backToTimes({ code: "slot_unavailable" });
    return;
  }
  // Leaving the form any other way (the menu, the back button, another tab's link) frees the time for others;
  // so does closing or hiding the page (keepalive: the request outlives the page). A reload holds it again.
  const onHide = () => {
    if (!holding) return;
    release(true);
    flow.released = true;
    store.set("flow", flow);
  };
  // Back from the browser's page cache after a pagehide: the form shows again, so the time is held again.
  const onShow = (event) => {
    if (event.persisted && store.get("flow")?.released) route();
  };
  window.addEventListener("pagehide", onHide);
  window.addEventListener("pageshow", onShow);
  onLeave(() => {
    window.removeEventListener("pagehide", onHide);
    window.removeEventListener("pageshow", onShow);
    release();
  });
  const summary = h("div", { class: "summary" },
    h("p", { class: "when" }, formatWhen(flow.slot.start)),
    h("p", {}, flow.doctor.name, " · ", flow.specialty.name, " · ", t("room", { room: flow.doctor.room })),
    h("p", { class: "meta" }, flow.clinic.name, ", ", flow.clinic.address),
    countdown(flow.hold.deadline || Date.parse(flow.hold.expiresAt), () => backToTimes({ code: "hold_gone", text: t("holdGone"), kind: "error" })));

  const saved = typed(); // what was typed, with "who is booking" from before the time was chosen
  // Signed in: the patient's data from the account, or a child's from the register (never typed, issue 29); the
  // ticket goes to the signed-in parent's email.
  const child = signed && flow.member;
  const self = signed ? {
    lastName: signed.family_name, firstName: signed.given_name, middleName: signed.middle_name || "",
    birthDate: signed.birthdate, policyNumber: signed.oms_policy_number, policySeries: signed.oms_policy_series || "",
    email: signed.email || "",
  } : null;
  const values = child ? {
    lastName: child.lastName, firstName: child.firstName, middleName: child.middleName || "", birthDate: child.birthDate,
    email: signed.email || "",
  } : self || saved;
  const fields = FIELDS.filter(([name]) => !signed || name !== "phone")
    .filter(([name]) => !signed || values[name])
    .map(([name, label, required, attrs]) => field(name, label, required, attrs, values[name] || "", Boolean(signed)));
  const errors = h("div", { class: "form-errors" });
  const reminders = h("p", { class: "field check" },
    h("input", { type: "checkbox", id: "f-reminders", name: "reminders", checked: flow.reminders !== false, "aria-describedby": "f-reminders-hint" }),
    " ", h("label", { for: "f-reminders" }, t("remindersLabel")),
    h("span", { class: "hint", id: "f-reminders-hint" }, t("remindersHint")));
  const submit = h("button", { type: "submit", class: "button primary" }, t("confirm"));
  form = h("form", { novalidate: true, class: "patient-form" },
    h("fieldset", {}, h("legend", {}, t("patient")), fields),
    child ? h("p", { class: "meta booked-by" }, t("bookingBy", { name: auth.displayName(signed) })) : null,
    reminders,
    errors,
    h("p", { class: "actions" }, submit,
      h("button", { type: "button", class: "button secondary", onclick: () => backToTimes(null) }, t("changeTime"))));
  body.append(summary, form);

  // "Correct the errors: N" follows the fields: it counts down as they are fixed and goes when none is left.
  form.addEventListener("input", () => {
    const summaryBox = errors.querySelector("[data-fix-errors]");
    if (!summaryBox) return;
    const n = form.querySelectorAll('input[aria-invalid="true"]').length;
    if (n) summaryBox.querySelector("p").textContent = t("fixErrors", { n });
    else summaryBox.remove();
  });

  async function send() {
    const data = collect();
    const remind = form.elements.reminders.checked;
    flow.reminders = remind;
    const choice = remind ? {} : { reminders: false }; // the API's default is on
    if (flow.referralNumber) choice.referralNumber = flow.referralNumber;
    const request = signed
      ? { path: "/v1/me/appointments", body: { slotId: flow.slot.id, holdId: flow.hold.holdId, ...choice, ...memberParam(flow.member) }, auth: true }
      : {
        path: "/v1/appointments",
        body: {
          slotId: flow.slot.id, holdId: flow.hold.holdId, ...choice,
          patient: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== "")),
        },
        auth: false,
      };
    // One key per booking attempt; a retry of the same attempt (same data) sends the same key again.
    const fingerprint = JSON.stringify(request.body);
    const pending = flow.pending && flow.pending.fingerprint === fingerprint ? flow.pending : { key: crypto.randomUUID(), fingerprint };
    flow.pending = pending;
    if (!signed) store.set("form", data);
    store.set("flow", flow);
    submit.disabled = true;
    submit.textContent = t("booking");
    errors.replaceChildren();
    try {
      const result = await api("POST", request.path, {
        body: request.body, auth: request.auth, headers: { "Idempotency-Key": pending.key },
      });
      holding = false; // the hold became the appointment
      const ticket = result.appointment;
      store.set(`ticket.${ticket.id}`, ticket);
      store.remove("flow");
      if (flow.referralNumber) forgetReferral();
      store.remove("form");
      forget("/specialties");
      go(ticketHash(ticket));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      submit.disabled = false;
      submit.textContent = t("confirm");
      if (!err.retryable) {
        flow.pending = null; // decided: another try is a new attempt
        store.set("flow", flow);
      }
      if (["slot_unavailable", "hold_expired", "hold_mismatch"].includes(err.code)) {
        backToTimes({ code: err.code });
        return;
      }
      if (err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
        for (const f of err.details.fields) {
          const input = form.elements[String(f.field).split(".").pop()];
          if (input && !input.readOnly) showFieldError(input, false, problemKey(input.name));
        }
      }
      const context = {
        clinicId: flow.clinic.id, specialtyId: flow.specialty.id, timesHref: flow.back, signedIn: Boolean(signed),
        districtId: flow.clinic.districtId, clinicKind: flow.clinic.kind,
        doctorsHref: `#/clinic/${flow.clinic.id}/specialty/${flow.specialty.id}`,
        fix: signed ? null : () => form.querySelector("input:not([readonly])")?.focus(),
      };
      const box = messageBox(err, { retry: send, context });
      errors.replaceChildren(box);
      box.focus(); // the refusal is read out, and Tab goes on to its actions
      if (err.code === "not_attached") {
        await showAttachedClinic(box, Object.fromEntries(Object.entries(
          { policyNumber: data.policyNumber || values.policyNumber, policySeries: data.policySeries || values.policySeries || null,
            lastName: data.lastName || values.lastName, birthDate: data.birthDate || values.birthDate })
          .filter(([, v]) => v)));
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!signed) {
      if (fixErrors(errors, badFields(form, FIELDS.map(([name, , required]) => [name, required])))) return;
    }
    send();
  });
}

/** The message key for a field the API refused (`details.fields`); the waiting list's form uses it too. */
export function problemKey(name) {
  return { birthDate: "badDate", policyNumber: "badPolicy", policySeries: "badSeries", email: "badEmail", phone: "badPhone",
    from: "badDate", to: "badDate" }[name] || "badName";
}

