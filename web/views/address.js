// Which polyclinics serve an address.
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { errorText, t } from "../i18n.js";
import { cards, field, loadInto, page, showFieldError } from "../ui.js";

export function viewAddress() {
  const { body } = page(t("addressTitle"), { crumbs: [[t("home"), "#/"], [t("addressTitle"), null]], intro: t("addressIntro") });
  const results = h("div", { class: "results" });
  const form = h("form", { novalidate: true, class: "address-form", role: "search" },
    h("div", { class: "row" },
      field("street", "street", true, { autocomplete: "address-line1", hint: "streetHint" }),
      field("house", "house", true, { autocomplete: "off", class: "short" })),
    h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("find"))));
  body.append(form, results);
  const ask = (districtId = null, street = null) => {
    const q = new URLSearchParams({ street: street || form.elements.street.value.trim(), house: form.elements.house.value.trim() });
    if (districtId) q.set("districtId", districtId);
    loadInto(results, () => api("GET", `/v1/addresses/clinics?${q}`, { fresh: true }).catch((err) => {
      if (err instanceof ApiError && err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
        for (const f of err.details.fields) {
          const input = form.elements[f.field];
          if (input) showFieldError(input, true, f.field === "house" ? "badHouse" : "badStreet");
        }
      }
      throw err;
    }), (r) => {
      if (r.candidates && r.candidates.length) {
        return [h("h2", {}, t("addressCandidates")), cards(r.candidates, (c) => h("button", {
          type: "button", class: "card link candidate", onclick: () => {
            form.elements.street.value = c.name;
            ask(c.districtId, c.name);
          },
        }, h("span", { class: "title" }, c.name), h("span", { class: "meta" }, t("districtOf", { name: c.districtName }))))];
      }
      const items = r.items || [];
      if (!items.length) return h("p", { class: "message info", role: "status" }, errorText("address_not_found"));
      const address = r.street ? `${r.street.name}, ${r.house}` : r.house;
      return [h("h2", {}, t("addressFound", { address })), cards(items, (c) => h("div", { class: "card", dataset: { clinic: c.id } },
        h("span", { class: "title" }, c.name), h("span", { class: "meta" }, c.address),
        c.phone ? h("span", { class: "meta" }, c.phone) : null,
        h("span", {}, h("a", { href: `#/clinic/${c.id}`, class: "button secondary" }, t("bookHere")))))];
    }, 2);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = ["street", "house"].map((n) => (showFieldError(form.elements[n], true) ? form.elements[n] : null)).filter(Boolean);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    ask();
  });
}

