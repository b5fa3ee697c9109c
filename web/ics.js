// "Add to calendar": a small iCalendar file built from the ticket. UID is the appointment id, the same as in
// the emailed ticket, so the emailed cancellation (METHOD:CANCEL, same UID) removes this event too.
function utc(iso) {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function text(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/([,;])/g, "\\$1");
}

// RFC 5545 3.1: lines of at most 75 octets, continued with a leading space.
function fold(line) {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const out = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (size + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += n;
  }
  out.push(current);
  return out.join("\r\n ");
}

export function ticketIcs(appt, summary, description, room) {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Zapis k vrachu//Web//RU",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${appt.id}`,
    "SEQUENCE:0",
    `DTSTAMP:${utc(appt.createdAt || new Date().toISOString())}`,
    `DTSTART:${utc(appt.start)}`,
    `DTEND:${utc(appt.end)}`,
    `SUMMARY:${text(summary)}`,
    `LOCATION:${text(`${appt.clinic.name}, ${appt.clinic.address}, ${room}`)}`,
    `DESCRIPTION:${text(description)}`,
    `URL:${appt.cancellation.url}`,
    "STATUS:CONFIRMED",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(fold).join("\r\n") + "\r\n";
}
