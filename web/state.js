// State shared by the views: the tab's session storage, the message the next page shows first, the timers
// of the page being left, and the navigation counter that makes older async renders drop their results.
export const state = {
  flash: null, // a message the next page shows first: {code} or {text}
  cleanups: [], // run when the page is left (timers, held slots, object URLs)
  generation: 0,
  firstRender: true,
};

export const store = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(`zapis.${key}`) || "null");
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(`zapis.${key}`, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(`zapis.${key}`);
  },
};

/** Run `stop` when the current page is left. */
export function onLeave(stop) {
  state.cleanups.push(stop);
}

/** Say `text` through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById("status");
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

export function addDays(isoDate, n) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function patientName(p) {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(" ");
}
