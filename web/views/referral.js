// Booking by referral (issue 15): the referral's number and the patient's last name first, then only what the
// referral allows — its specialty at its clinic. The referral found is kept for this tab, and the calendar
// and the form send its number with the hold and the booking.
// (The referral kept for the tab is read with referralFor() and forgotten with forgetReferral(), state.js.)
import { api, ApiError } from "../api.js";
import { errorText, formatDay, t } from "../i18n.js";
import { announce, go, store } from "../state.js";
import { badFields, field, h, messageBox, page } from "../ui.js";

export function viewReferral(_params, query) {
  const wanted = { clinic: query.get("clinic"), specialty: query.get("specialty") };
  const { body } = page(t("referralTitle"), { crumbs: [[t("home"), "#/"], [t("referralTitle"), null]], intro: t("referralIntro") });
  const result = h("div", { class: "results", "aria-live": "polite" });
  const kept = store.get("referral") || {};
  const form = h("form", { novalidate: true, class: "referral-form", "aria-label": t("referralTitle") },
    field("referralNumber", "referralNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "referralNumberHint", maxlength: "16" }, kept.number || ""),
    field("lastName", "lastName", true, { autocomplete: "family-name" }, kept.lastName || ""),
    h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("referralFind"))));
  body.append(form, result);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const bad = badFields(form, [["referralNumber", true], ["lastName", true]]);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    const number = form.elements.referralNumber.value.replace(/[\s-]/g, "");
    const lastName = form.elements.lastName.value.trim();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const { referral } = await api("POST", "/v1/referrals/lookup", { body: { number, lastName } });
      result.replaceChildren(...show(referral, lastName, wanted));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      store.remove("referral");
      const context = { clinicId: wanted.clinic, specialtyId: wanted.specialty, fix: () => form.elements.referralNumber.focus() };
      const box = messageBox(err, { context });
      result.replaceChildren(box);
      announce(errorText(err.code));
      box.focus();
    } finally {
      submit.disabled = false;
    }
  });
}

function show(referral, lastName, wanted) {
  const summary = h("div", { class: "card referral-card", dataset: { status: referral.status } },
    h("p", { class: "title" }, t("referralFor", { specialty: referral.specialty })),
    h("p", { class: "meta" }, referral.targetClinic.name, ", ", referral.targetClinic.address),
    h("p", { class: "meta" }, t("referralValidUntil", { day: formatDay(referral.validUntil, false) })));
  if (referral.status !== "issued") {
    // Used or expired: the page says why, as the booking would.
    const code = referral.status === "used" ? "referral_used" : "referral_expired";
    announce(errorText(code));
    return [summary, messageBox({ code }, { context: { clinicId: referral.targetClinic.id } })];
  }
  store.set("referral", { number: referral.number, lastName, clinicId: referral.targetClinic.id, specialtyId: referral.specialtyId });
  const target = `#/clinic/${referral.targetClinic.id}/specialty/${referral.specialtyId}`;
  const elsewhere = wanted.specialty && (wanted.specialty !== referral.specialtyId || wanted.clinic !== referral.targetClinic.id);
  announce(t("referralFor", { specialty: referral.specialty }));
  return [summary,
    elsewhere ? h("p", { class: "message info" }, t("referralOnlyThis")) : null,
    h("p", { class: "actions" }, h("a", { href: target, class: "button primary", onclick: (e) => { e.preventDefault(); go(target); } }, t("referralChoose")))]
    .filter(Boolean);
}
