"""Ticket and cancellation emails, sent from the table's stream (functions/notifier).

- `messages`: what is sent — the MIME message (plain text, accessible HTML, an iCalendar attachment) in
  Russian or English. Imports `icalendar`, so only the notifier and the redrive tool import this package.
- `delivery`: how it is sent exactly once — which stream records mean an email, the "sent" marker on the
  appointment item, SES with bounded retries, and the dead-letter queue the redrive reads.
"""
