#!/usr/bin/env bash
# Booking, step by step, against the local stack with its demo data (`make run`). docs/booking-flow.md shows it;
# tests/browser/test_docs_scripts.py runs it. Every answer is printed with its HTTP status on a line of its own.
set -euo pipefail
B=${B:-http://127.0.0.1:3000}
J='Content-Type: application/json'
call() { curl -sS -w '\n  -> HTTP %{http_code}\n' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

SLOT=$(curl -sS "$B/v1/doctors/cl0101-d01/slots" | field '["items"][0]["id"]')
# hold the slot for a patient while the form is filled in (5 minutes); the register is checked now, and a
# patient holds one slot at a time (a new hold releases the previous one)
HOLD=$(curl -sS -XPOST "$B/v1/holds" -H "$J" -d "{\"slotId\":\"$SLOT\", \"patient\": {\"lastName\": \"Морозов\",
  \"birthDate\": \"1978-06-02\", \"policyNumber\": \"7800000101000000\"}}" | field '["holdId"]')
# book anonymously (a demo patient attached to cl0101, see infra/demo/patients.json)
KEY=$(python3 -c 'import uuid; print(uuid.uuid4())')
BOOKING="{\"slotId\": \"$SLOT\", \"holdId\": \"$HOLD\",
  \"patient\": {\"lastName\": \"Морозов\", \"firstName\": \"Михаил\", \"middleName\": \"Иванович\",
    \"birthDate\": \"1978-06-02\", \"policyNumber\": \"7800000101000000\", \"email\": \"mikhail.morozov.1010@example.org\"}}"
call -XPOST "$B/v1/appointments" -H "$J" -H "Idempotency-Key: $KEY" -d "$BOOKING"
# the same request again with the same key: the same appointment, nothing booked twice
ANSWER=$(curl -sS -XPOST "$B/v1/appointments" -H "$J" -H "Idempotency-Key: $KEY" -d "$BOOKING")
APPT=$(echo "$ANSWER" | field '["appointment"]["id"]')
echo "the same appointment again: $APPT"
# the ticket by its link (ticketUrl carries the token), in any browser
TICKET_TOKEN=$(echo "$ANSWER" | field '["appointment"]["ticketUrl"].split("?t=")[1]')
call "$B/v1/appointments/$APPT?t=$TICKET_TOKEN"
# signed in: a local token for a demo patient, then book with the data from the token
TOKEN=$(curl -sS -XPOST "$B/_local/token" -H "$J" -d '{"policyNumber":"7800000101000001"}' | field '["token"]')
SLOT2=$(curl -sS "$B/v1/doctors/cl0101-d02/slots" | field '["items"][0]["id"]')
MINE=$(curl -sS -XPOST "$B/v1/me/appointments" -H "$J" -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $KEY-2" \
  -d "{\"slotId\":\"$SLOT2\"}" | field '["appointment"]["id"]')
# signed in, a hold takes the patient from the token: POST /v1/me/holds {"slotId"}
# anonymous search of one's future appointments: policy, last name and birth date
call -XPOST "$B/v1/appointments/search" -H "$J" -d '{"policyNumber":"7800000101000000","lastName":"Морозов","birthDate":"1978-06-02"}'
# history, then cancel: anonymous by policy, signed in by the token
call "$B/v1/me/appointments" -H "Authorization: Bearer $TOKEN"
call -XPOST "$B/v1/appointments/$APPT/cancel" -H "$J" -d '{"policyNumber":"7800000101000000"}'
call -XPOST "$B/v1/me/appointments/$MINE/cancel" -H "$J" -H "Authorization: Bearer $TOKEN" -d '{}'
