// The access journal (GET /v1/registry/clinics/{id}/journal?date=): who (the token's subject, never a name), in
// which role, did what and when, oldest first, for the head of registry and the city operator. A receptionist who
// opens it gets the API's 403, said in words.
import { formatDay, t } from "./i18n.js";
import { call, failure, field, input, note, show } from "./registry-common.js";
import { appointments } from "./registry-texts.js";
import { clinicToday, h } from "./ui.js";

export function journal(clinicId, again) {
  const day = input({ type: "date", name: "date", value: clinicToday(), required: true });
  const summary = h("div", {});
  const list = h("ol", { class: "reg-list reg-journal", "aria-labelledby": "reg-journal-title" });
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const date = day.value || clinicToday();
    summary.replaceChildren(note("info", t("loading")));
    try {
      const { items } = await call("GET", `/v1/registry/clinics/${encodeURIComponent(clinicId)}/journal?${new URLSearchParams({ date })}`);
      if (mine !== latest) return;
      summary.replaceChildren(note("info", items.length ? t("regJournalCount", { day: formatDay(date), n: items.length }) : t("regJournalEmpty")));
      list.replaceChildren(...items.map(entry));
    } catch (err) {
      if (mine !== latest) return;
      list.replaceChildren();
      show(summary, failure(err, again));
    }
  }
  const form = h("form", { class: "reg-filter", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    load();
  } }, field("reg-journal-day", t("regDate"), day),
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regShow"))));
  setTimeout(load, 0);
  return h("section", { class: "reg-section", "aria-labelledby": "reg-journal-title" },
    h("h2", { id: "reg-journal-title", tabindex: "-1" }, t("regJournalTitle")),
    h("p", { class: "intro" }, t("regJournalIntro")), form, summary, list);
}

function entry(e) {
  const action = `regAction_${String(e.action).replace(/\./g, "_")}`;
  const what = t(action) === action ? e.action : t(action); // an action this page does not know yet: its code
  const n = Number.isInteger(e.count) ? e.count : Array.isArray(e.appointmentIds) ? e.appointmentIds.length : 0;
  const details = [n ? appointments(n) : null, e.doctorId ? t("regJournalDoctor", { id: e.doctorId }) : null].filter(Boolean);
  const role = e.role ? t(`regRole_${e.role}`) : "";
  return h("li", { class: "card reg-entry", dataset: { action: e.action } },
    h("p", { class: "title" }, `${String(e.at).slice(11, 19)} · ${what}`),
    h("p", { class: "meta" }, [role, e.actor].filter(Boolean).join(" · ")),
    details.length ? h("p", {}, details.join(" · ")) : null);
}
