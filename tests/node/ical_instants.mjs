// Reads .ics files with Mozilla's ical.js (the parser of Thunderbird) and
// prints, as JSON, each event's UID, its start and end as Unix seconds, and
// (for times given in a zone) the wall times those instants show in that
// zone, converted back from UTC as a calendar does to display them (ical.js
// approximates that conversion near a change: see the test).
// Zones come only from each file's own VTIMEZONE components, as in
// Thunderbird for a zone it is given: no zone database is loaded here.
// Usage: node ical_instants.mjs FILE.ics...   (tests/test_ical_interop.py)
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const out = {};
for (const path of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, 'utf8')));
  out[path] = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const shown = (time) => {
      if (time.zone === ICAL.Timezone.utcTimezone) return null;
      const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
      const local = utc.convertToZone(time.zone);
      const pad = (n) => String(n).padStart(2, '0');
      return `${local.year}-${pad(local.month)}-${pad(local.day)} ${pad(local.hour)}:${pad(local.minute)}`;
    };
    return {
      uid: event.uid,
      start: event.startDate.toUnixTime(),
      end: event.endDate.toUnixTime(),
      startShown: shown(event.startDate),
      endShown: shown(event.endDate),
    };
  });
}
process.stdout.write(JSON.stringify(out));
