// Reference data of the booking steps (GETs cached for a short while by api.js).
import { api, ApiError } from "./api.js";

const enc = encodeURIComponent;

export const load = {
  districts: () => api("GET", "/v1/districts").then((r) => r.items),
  clinics: (d) => api("GET", `/v1/districts/${enc(d)}/clinics`).then((r) => r.items),
  clinic: (c) => api("GET", `/v1/clinics/${enc(c)}`),
  specialties: (c, fresh = false) => api("GET", `/v1/clinics/${enc(c)}/specialties`, { fresh }).then((r) => r.items),
  doctors: (c, s, fresh = false) =>
    api("GET", `/v1/clinics/${enc(c)}/specialties/${enc(s)}/doctors`, { fresh }).then((r) => r.items),
};

export function notFound() {
  return new ApiError("not_found", 404);
}
