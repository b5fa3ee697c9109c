#!/usr/bin/env bash
# A first look at the API of the local stack (`make run`). docs/local-stack.md shows this file and
# tests/browser/test_docs_scripts.py runs it (B=http://127.0.0.1:<port> for another port).
set -euo pipefail
B=${B:-http://127.0.0.1:3000}
curl -sSf "$B/v1/districts"
curl -sSf "$B/v1/districts/admiralteysky/clinics"
curl -sSf "$B/v1/clinics/cl0101/specialties"
curl -sSf "$B/v1/clinics/cl0101/specialties/therapist/doctors"
curl -sSf "$B/v1/doctors/cl0101-d01/slots"  # the booking window's free slots and its days ("window")
curl -sSf "$B/v1/doctors/cl0101-d01/slots?from=$(TZ=Europe/Moscow date +%F)&to=$(TZ=Europe/Moscow date -d '+1 day' +%F)"
