#!/usr/bin/env bash
# Clinic staff, step by step, against the local stack (`make run`): a new doctor and its plan, the day list, an
# absence. docs/staff.md shows this file and tests/browser/test_docs_scripts.py runs it (B= another base URL).
set -euo pipefail
B=${B:-http://127.0.0.1:3000}
J='Content-Type: application/json'
call() { curl -sS -w '\n  -> HTTP %{http_code}\n' "$@"; }
TOMORROW=$(TZ=Europe/Moscow date -d tomorrow +%F)
# a token of cl1802's head of registry (deployed: the staff provider's token with clinic_id cl1802, staff_role head)
STAFF=$(curl -sS -XPOST "$B/_local/token" -H "$J" -d '{"staff":true,"clinicId":"cl1802"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $STAFF"
# a new doctor with a weekly plan: free slots for the whole booking window
call -XPUT "$B/v1/registry/clinics/cl1802/doctors/cl1802-d20" -H "$J" -H "$AUTH" -d '{
  "name":"Орлова Вера Павловна","specialtyId":"dermatologist","room":"214","slotMinutes":30,
  "plan":[{"weekday":1,"from":"09:00","to":"13:00"},{"weekday":3,"from":"14:00","to":"18:00"}]}'
# tomorrow's day list: every appointment of the day, in time order, every status
call "$B/v1/registry/clinics/cl1802/appointments?date=$TOMORROW" -H "$AUTH"
# an absence: first what it would close and cancel (dryRun), then for real
ABSENCE="{\"from\":\"$TOMORROW\",\"to\":\"$TOMORROW\",\"reason\":\"sick\""
call -XPOST "$B/v1/registry/clinics/cl1802/doctors/cl1802-d20/absences" -H "$J" -H "$AUTH" -d "$ABSENCE,\"dryRun\":true}"
call -XPOST "$B/v1/registry/clinics/cl1802/doctors/cl1802-d20/absences" -H "$J" -H "$AUTH" -d "$ABSENCE}"
# the access journal of today: who among the staff read or changed what (the actor is the token's subject)
call "$B/v1/registry/clinics/cl1802/journal?date=$(TZ=Europe/Moscow date +%F)" -H "$AUTH"
