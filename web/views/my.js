// «История заявлений» (the history of applications): the signed-in patient's appointments, with «Отменить запись»
// on each that is still ahead, and their waiting-list entries; a parent sees the family, themselves and each child
// with the child's appointments and entries, which they cancel and move as their own (issue 29). Each appointment
// says who at the clinic looked at or changed it, and when (issue 28). Not signed in, the same place finds one's upcoming
// appointments by policy, last name and birth date; «Отменить запись на приём к врачу» (#/cancel) is that search
// too, under the name the ticket and the emails give it.
import { api, ApiError, auth } from "../api.js";
import { formatWhen, t } from "../i18n.js";
import { go, store } from "../state.js";
import { badFields, cards, clean, field, h, loadInto, messageBox, page, skeleton } from "../ui.js";
import { accessDetails, family, hasChildren, memberLabel, memberParam } from "./family.js";
import { ticketHash } from "./ticket.js";

function appointmentCard(a, cancel, notice = null) {
  const future = a.status === "booked" && new Date(a.start).getTime() > Date.now();
  const actions = h("p", { class: "actions" });
  const card = h("article", { class: "card appointment", dataset: { id: a.id, status: a.status } },
    h("p", { class: "title" }, formatWhen(a.start), " ", h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))),
    h("p", {}, a.doctor.name, " · ", a.doctor.specialty),
    h("p", { class: "meta" }, a.clinic.name, ", ", a.clinic.address, " · ", t("ticketNumber", { number: a.number })),
    accessDetails(a.access), notice, actions);
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
        const box = messageBox(err, { context: { ticketHref: ticketHash(a) } });
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
  const { body, intro } = page(t("myTitle"), { crumbs: [[t("home"), "#/"], [t("myTitle"), null]], intro: signed ? t("mySignedIntro") : t("myIntro") });
  if (signed) {
    await history(body, intro);
    return;
  }
  body.append(h("p", {}, h("a", { href: "#/signin" }, t("mySignInHint"))));
  search(body);
}

/** «Отменить запись на приём к врачу» without the ticket at hand: find the appointment by policy, then cancel it.
 * Signed in, the history of applications is where one cancels. */
export function viewFindToCancel() {
  if (auth.signedIn()) {
    go("#/my");
    return;
  }
  const { body } = page(t("cancelTitle"), { crumbs: [[t("home"), "#/"], [t("cancelTitle"), null]], intro: t("cancelFindIntro") });
  search(body);
}

/** The history: of the patient alone, or (a parent) of each member of the family under their name. */
async function history(body, intro) {
  const loading = skeleton(3);
  body.append(loading);
  const members = await family();
  loading.remove();
  if (!hasChildren(members)) {
    await memberHistory(body, null);
    return;
  }
  intro.textContent = t("myFamilyIntro");
  await Promise.all(members.map((m, n) => {
    const titleId = `member-${n}`;
    const section = h("section", { class: "member", "aria-labelledby": titleId, dataset: { member: m.id, relation: m.relation } },
      h("h2", { id: titleId }, memberLabel(m)));
    body.append(section);
    return memberHistory(section, m, n);
  }));
}

/** One patient's appointments and waiting entries (`member` null: the signed-in patient without a family). */
async function memberHistory(body, member, n = null) {
  const cancelSigned = (a) => api("POST", `/v1/me/appointments/${encodeURIComponent(a.id)}/cancel`, { auth: true, body: {} });
  const list = h("div", { class: "history" });
  const waiting = h("div", { class: "waiting" }); // under its own heading when there are entries (views/waitlist.js)
  body.append(list, waiting);
  const { familyMemberId = null } = memberParam(member);
  import("./waitlist.js").then(({ myWaitlist }) => myWaitlist(waiting, { familyMemberId, n })).catch(() => {});
  const more = async (token, into) => {
    const params = new URLSearchParams();
    if (familyMemberId) params.set("familyMemberId", familyMemberId);
    if (token) params.set("nextToken", token);
    const q = params.toString() ? `?${params}` : "";
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
}

function search(body) {
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
      (r) => (r.items.length ? cards(r.items, (a) => appointmentCard(a, cancelAnonymous), "cards list")
        : h("div", { class: "message info" }, h("p", {}, t("myNone")),
          h("p", { class: "actions" }, h("a", { href: "#/address", class: "button secondary" }, t("errorActionAddress")),
            h("a", { href: "#/", class: "button secondary" }, t("bookAgain"))))), 2);
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
