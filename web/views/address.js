// Which polyclinics serve an address: the whole address in one field ("Невский пр., 28"), the API cuts it into
// the street and the house; namesake streets to choose from; the nearest street names for one it does not know.
import { api, ApiError } from "../api.js";
import { errorText, t } from "../i18n.js";
import { announce } from "../state.js";
import { cards, field, h, loadInto, messageBox, page, showFieldError } from "../ui.js";

export function viewAddress() {
  const { body } = page(t("addressTitle"), { crumbs: [[t("home"), "#/"], [t("addressTitle"), null]], intro: t("addressIntro") });
  const results = h("div", { class: "results" });
  const form = h("form", { novalidate: true, class: "address-form", role: "search", "aria-label": t("addressTitle") },
    field("address", "address", true, { autocomplete: "street-address", hint: "addressHint" }),
    h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("find"))));
  body.append(form, results);
  const input = form.elements.address;

  /** A list of streets to choose from; choosing one asks again for that street (and district) and house. */
  const streetChoice = (streets, house) => cards(streets, (c) => h("button", {
    type: "button", class: "card link candidate", onclick: () => {
      input.value = `${c.name}, ${house}`;
      ask({ street: c.name, house, districtId: c.districtId });
    },
  }, h("span", { class: "title" }, c.name), h("span", { class: "meta" }, t("districtOf", { name: c.districtName }))));

  const notFound = (err) => {
    const d = err.details || {};
    const text = d.reason === "street" && d.street ? t("addressStreetUnknown", { street: d.street })
      : d.reason === "house" && d.street ? t("addressHouseUnknown", { street: d.street, house: d.house })
        : errorText("address_not_found");
    const box = messageBox({ code: "address_not_found", text, kind: "error" }, { context: { fix: () => input.focus() } });
    const out = [box];
    if (Array.isArray(d.suggestions) && d.suggestions.length) {
      out.push(h("h2", {}, t("addressDidYouMean")), streetChoice(d.suggestions, d.house));
    }
    announce([text, d.suggestions && d.suggestions.length ? t("addressDidYouMean") : ""].join(" "));
    return out;
  };

  const ask = (query) => {
    const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
    loadInto(results, async () => {
      try {
        return await api("GET", `/v1/addresses/clinics?${q}`, { fresh: true });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === "address_not_found") return { refused: err };
        if (err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
          const noHouse = err.details.fields.some((f) => f.field === "house");
          showFieldError(input, true, noHouse ? "addressNoHouse" : "badStreet");
          input.focus();
          return { refused: null };
        }
        throw err;
      }
    }, (r) => {
      if (r.refused !== undefined) return r.refused ? notFound(r.refused) : null;
      if (r.candidates && r.candidates.length) {
        announce(t("addressCandidatesAnnounce", { n: r.candidates.length }));
        return [h("h2", {}, t("addressCandidates")), streetChoice(r.candidates, r.house)];
      }
      const items = r.items || [];
      if (!items.length) return h("p", { class: "message info", role: "status" }, errorText("address_not_found"));
      const address = r.street ? `${r.street.name}, ${r.house}` : r.house;
      announce(`${t("addressFound", { address })}. ${t("addressAnnounce", { n: items.length })}`);
      return [h("h2", {}, t("addressFound", { address })), cards(items, (c) => h("div", { class: "card", dataset: { clinic: c.id } },
        h("span", { class: "title" }, c.name), h("span", { class: "meta" }, c.address),
        c.phone ? h("span", { class: "meta phone" }, c.phone) : null,
        h("span", {}, h("a", { href: `#/clinic/${c.id}`, class: "button secondary" }, t("bookHere")))))];
    }, 2);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    results.replaceChildren(); // a new search never leaves the previous answer on screen
    if (showFieldError(input, true)) {
      input.focus();
      return;
    }
    ask({ street: input.value.trim() });
  });
}
