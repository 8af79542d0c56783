// The domain's words (kinds, statuses, weekdays…) as the server defines them (GET /api/vocabulary),
// fetched once per page load; the service worker keeps a copy for offline use. Their labels are in
// the dictionaries, keyed by the words themselves: t(`kinds.${kind}`).
import {get} from "/js/api.js";

let loading = null;

export function vocabulary() {
  if (!loading) {
    loading = get("/api/vocabulary").catch((error) => {
      loading = null;  // offline or a hiccup: the next caller asks again
      throw error;
    });
  }
  return loading;
}

// The weekday key ("mon" … "sun") of a day written "2026-03-12", from the server's Monday-first list.
export function weekdayOf(day, weekdays) {
  return weekdays[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7];
}
