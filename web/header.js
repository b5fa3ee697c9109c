// The header: the menu with the current section marked, the signed-in patient, the language switch.
import * as auth from "./auth.js";
import { h } from "./dom.js";
import { lang, t } from "./i18n.js";
import { go, section } from "./router.js";
import { state } from "./state.js";

export function renderHeader() {
  document.documentElement.lang = lang();
  document.getElementById("brand-title").textContent = t("appTitle");
  document.getElementById("brand-subtitle").textContent = t("appSubtitle");
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("footer-text").textContent = t("footer");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("appTitle"));
  const where = section();
  const current = { my: "my", address: "address", signin: "signin" }[where] || (["", "district", "clinic", "book"].includes(where) ? "book" : "");
  const link = (key, href, label) => h("li", {}, h("a", { href, "aria-current": current === key ? "page" : null }, label));
  // On a phone the menu is one row: the long item shows its short label there (only one of them is displayed,
  // so the link's name is always the text on screen).
  const address = [h("span", { class: "wide" }, t("navAddress")), h("span", { class: "narrow" }, t("navAddressShort"))];
  const items = [link("book", "#/", t("navBook")), link("address", "#/address", address), link("my", "#/my", t("navMy"))];
  if (auth.signedIn()) {
    items.push(h("li", { class: "user" }, h("span", { class: "who" }, t("signedInAs", { name: auth.displayName() })), " ",
      h("button", { type: "button", class: "linklike", onclick: () => { auth.signOut(); renderHeader(); state.flash = { text: t("signedOut"), kind: "info" }; go("#/"); } }, t("navSignOut"))));
  } else {
    items.push(link("signin", "#/signin", t("navSignIn")));
  }
  nav.replaceChildren(h("ul", {}, items));
  const switcher = document.getElementById("lang");
  switcher.textContent = t("langSwitch");
  switcher.setAttribute("lang", lang() === "ru" ? "en" : "ru");
  switcher.setAttribute("aria-label", t("langSwitchLabel"));
}
