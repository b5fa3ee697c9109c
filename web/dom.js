// A tiny DOM builder: elements are made with textContent only, so no API text is ever parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Placeholder rows of a fixed height while a list loads, so nothing jumps when it arrives. */
export function skeleton(rows = 4, cls = "") {
  return h("ul", { class: `skeleton ${cls}`, "aria-hidden": "true" },
    Array.from({ length: rows }, () => h("li", {})));
}
