// The places the waitlist gave a learner that are still news (issue 28): booked for them, not yet
// acknowledged, and still theirs. A freed place they have since cancelled (or that was withdrawn) is
// no good news any more, so home and "Mes réservations" stop announcing it.
const STILL_THEIRS = new Set(["confirmed", "checked_out"]);

export function freshlyFreed(entries) {
  return (entries || []).filter((e) => e.status === "booked" && !e.seen && e.booking && STILL_THEIRS.has(e.booking.status));
}
