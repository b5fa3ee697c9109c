// Signing in (the local stack's demo patients, or the OIDC provider when deployed), and the unknown page.
import { auth, config } from "../api.js";
import { t } from "../i18n.js";
import { go, store } from "../state.js";
import { field, h, page, renderHeader, showFieldError } from "../ui.js";

export function viewSignIn() {
  const returnTo = store.get("returnTo") || "#/";
  const { body } = page(t("signInTitle"), { crumbs: [[t("home"), "#/"], [t("signInTitle"), null]], intro: t("signInIntro") });
  if (config.signIn !== "local") {
    const go_ = () => import("../oidc.js").then((oidc) => oidc.signInOidc(config, returnTo));
    body.append(h("p", {}, h("button", { type: "button", class: "button primary", onclick: go_ }, t("signInGo"))));
    return;
  }
  const out = h("div", {});
  const form = h("form", { novalidate: true },
    h("p", { class: "meta" }, t("signInLocal")),
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off" }),
    out, h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("signInDo"))));
  body.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (showFieldError(form.elements.policyNumber, true)) {
      form.elements.policyNumber.focus();
      return;
    }
    try {
      await auth.signInLocal(form.elements.policyNumber.value);
      store.remove("returnTo");
      renderHeader();
      go(returnTo);
    } catch {
      out.replaceChildren(h("div", { class: "message error", role: "alert" }, h("p", {}, t("signInFailed"))));
    }
  });
}

export function viewNotFound() {
  const { body } = page(t("notFoundTitle"));
  body.append(h("p", {}, t("notFoundText"), " ", h("a", { href: "#/" }, t("navBook"))));
}

