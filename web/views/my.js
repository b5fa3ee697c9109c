// "My appointments": found by policy and birth date, or the signed-in patient's history; cancelling there.
import { api, ApiError } from "../api.js";
import * as auth from "../auth.js";
import { h } from "../dom.js";
import { formatWhen, t } from "../i18n.js";
import { store } from "../state.js";
import { ticketHash } from "./ticket.js";
import { badFields, cards, field, loadInto, messageBox, page } from "../ui.js";
import { clean } from "../validate.js";
import { myWaitlist } from "./waitlist.js";

function appointmentCard(a, cancel, notice = null) {
  const future = a.status === "booked" && new Date(a.start).getTime() > Date.now();
  const actions = h("p", { class: "actions" });
  const card = h("article", { class: "card appointment", dataset: { id: a.id, status: a.status } },
    h("p", { class: "title" }, formatWhen(a.start), " ", h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))),
    h("p", {}, a.doctor.name, " · ", a.doctor.specialty),
    h("p", { class: "meta" }, a.clinic.name, ", ", a.clinic.address, " · ", t("ticketNumber", { number: a.number })),
    notice, actions);
  const open = h("a", { href: ticketHash(a), class: "button secondary", onclick: () => store.set(`ticket.${a.id}`, a) }, t("openTicket"));
  const showActions = () => {
    actions.replaceChildren(open);
    if (future && a.status === "booked") {
      actions.append(h("a", { href: `#/reschedule/${a.id}`, class: "button secondary", onclick: () => store.set(`ticket.${a.id}`, a) }, t("rescheduleThis")),
        h("button", { type: "button", class: "button danger", onclick: ask }, t("cancelThis")));
    }
  };
  function ask() {
    const yes = h("button", { type: "button", class: "button danger", onclick: async () => {
      yes.disabled = true;
      yes.textContent = t("cancelling");
      try {
        const result = await cancel(a);
        Object.assign(a, result.appointment);
        // The card shows the cancellation and takes the focus the "Yes" button had (it is gone now).
        const done = h("p", { class: "message success", role: "status", tabindex: "-1" }, t("cancelled", { number: a.number }));
        card.replaceWith(appointmentCard(a, cancel, done));
        done.focus();
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const box = messageBox(err);
        actions.replaceChildren(box, open);
        box.focus();
      }
    } }, t("cancelYes"));
    actions.replaceChildren(h("span", { class: "confirm", role: "group", "aria-label": t("cancelConfirm", { number: a.number, when: formatWhen(a.start) }) },
      h("span", {}, t("cancelConfirm", { number: a.number, when: formatWhen(a.start) })), " ", yes, " ",
      h("button", { type: "button", class: "button secondary", onclick: () => { showActions(); actions.querySelector(".danger")?.focus(); } }, t("cancelNo"))));
    yes.focus();
  }
  showActions();
  return card;
}

export async function viewMy() {
  const signed = auth.signedIn();
  const { body } = page(t("myTitle"), { crumbs: [[t("home"), "#/"], [t("myTitle"), null]], intro: signed ? t("mySignedIntro") : t("myIntro") });
  const cancelSigned = (a) => api("POST", `/v1/me/appointments/${encodeURIComponent(a.id)}/cancel`, { auth: true, body: {} });
  if (signed) {
    const list = h("div", { class: "history" });
    const waiting = h("div", { class: "waiting" }); // under its own heading when there are entries (views/waitlist.js)
    body.append(list, waiting);
    myWaitlist(waiting);
    const more = async (token, into) => {
      const q = token ? `?nextToken=${encodeURIComponent(token)}` : "";
      await loadInto(into, () => api("GET", `/v1/me/appointments${q}`, { auth: true }), (page_) => {
        const out = [page_.items.length || token ? cards(page_.items, (a) => appointmentCard(a, cancelSigned), "cards list") : h("p", {}, t("myNone"))];
        if (page_.nextToken) {
          const next = h("div", {});
          out.push(next, h("p", {}, h("button", { type: "button", class: "button secondary", onclick: (e) => { e.currentTarget.remove(); more(page_.nextToken, next); } }, t("more"))));
        }
        return out;
      }, 3);
    };
    await more(null, list);
    return;
  }
  body.append(h("p", {}, h("a", { href: "#/signin" }, t("mySignInHint"))));
  const results = h("div", { class: "results", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, t("search"));
  const form = h("form", { novalidate: true, class: "search-form" },
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }),
    field("policySeries", "policySeries", false, { autocomplete: "off" }),
    field("lastName", "lastName", true, { autocomplete: "family-name" }),
    field("birthDate", "birthDate", true, { type: "date", autocomplete: "bday", min: "1900-01-01" }),
    h("p", { class: "actions" }, button));
  body.append(form, results);
  const send = async () => {
    const policy = {
      policyNumber: clean("policyNumber", form.elements.policyNumber.value),
      policySeries: clean("policySeries", form.elements.policySeries.value) || undefined,
    };
    const cancelAnonymous = (a) => api("POST", `/v1/appointments/${encodeURIComponent(a.id)}/cancel`, { body: policy });
    store.set("who", { ...(store.get("who") || {}), ...policy }); // rescheduling from here asks for the same policy
    // Not `disabled`: a disabled button loses the focus to <body>; a second submit waits instead.
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    await loadInto(results, () => api("POST", "/v1/appointments/search", { body: { ...policy, lastName: clean("lastName", form.elements.lastName.value), birthDate: form.elements.birthDate.value } }),
      (r) => (r.items.length ? cards(r.items, (a) => appointmentCard(a, cancelAnonymous), "cards list") : h("p", { class: "message info" }, t("myNone"))), 2);
    button.removeAttribute("aria-disabled");
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = badFields(form, [["policyNumber", true], ["policySeries", false], ["lastName", true], ["birthDate", true]]);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    send();
  });
}

