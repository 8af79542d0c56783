// The weekly opening hours editor: each weekday open or closed, with one or more time ranges.
import {h, select, uid} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {vocabulary} from "/js/vocabulary.js";

const {weekdays: WEEKDAYS} = await vocabulary();
const NEW_RANGE = ["09:00", "18:00"];

// "9", "930", "9h30", "09:30" → "09:30"; anything else → null: the site's stored times, read.
export function clockText(raw) {
  const found = String(raw).trim().match(/^(\d{1,2})(?:\s*[:hH.]\s*|)(\d{2})?$/);
  if (!found) return null;
  const hour = Number(found[1]);
  const minute = Number(found[2] || 0);
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

// Every quarter of an hour, written the French way (issue 28: chosen, not typed; a list reads
// "13:30" whatever the phone's language, where <input type="time"> may say "1:30 PM").
const QUARTERS = Array.from({length: 96}, (_, i) => `${String(Math.floor(i / 4)).padStart(2, "0")}:${String((i % 4) * 15).padStart(2, "0")}`);

// A time off the quarters (an older "09:05") stays offered, in its place.
function clockInput(value, label) {
  const current = clockText(value) || "09:00";
  const times = QUARTERS.includes(current) ? QUARTERS : [...QUARTERS, current].sort();
  return select(times.map((time) => [time, time]), {value: current, class: "clock", "aria-label": label});
}

function rangeRow(dayLabel, [start, end], onRemove) {
  const from = clockInput(start, t("admin2.hours.from_of", {day: dayLabel}));
  const to = clockInput(end, t("admin2.hours.to_of", {day: dayLabel}));
  const row = h("div", {class: "range-row"},
    h("span", {class: "range-word", "aria-hidden": "true"}, t("admin2.hours.from")), from,
    h("span", {class: "range-word", "aria-hidden": "true"}, t("admin2.hours.to")), to,
    h("button", {type: "button", class: "link", onclick: () => onRemove(row)}, t("admin2.hours.remove")));
  row.value = () => [clockText(from.value) || from.value.trim(), clockText(to.value) || to.value.trim()];
  return row;
}

function dayEditor(day, ranges) {
  const label = t(`weekdays.${day}`);
  const open = h("input", {type: "checkbox", id: uid("open"), checked: ranges.length > 0});
  const list = h("div", {class: "ranges"});
  const add = h("button", {type: "button", class: "link"}, t("admin2.hours.add"));
  const rows = [];
  const remove = (row) => {
    rows.splice(rows.indexOf(row), 1);
    row.remove();
    if (rows.length === 0) {
      open.checked = false;
      sync();
    }
  };
  const addRange = (range) => {
    const row = rangeRow(label, range, remove);
    rows.push(row);
    list.append(row);
  };
  function sync() {
    list.hidden = add.hidden = !open.checked;
    if (open.checked && rows.length === 0) addRange(NEW_RANGE);
  }
  ranges.forEach(addRange);
  add.addEventListener("click", () => {
    const last = rows.length ? rows[rows.length - 1].value()[1] : "09:00";
    addRange([last, last < "18:00" ? "18:00" : "23:45"]);
  });
  open.addEventListener("change", sync);
  sync();
  const box = h("fieldset", {class: "day-hours", "data-day": day},
    h("legend", {}, label),
    h("label", {class: "check", for: open.id}, open, " ", t("admin2.hours.open")),
    list, add);
  box.value = () => (open.checked ? rows.map((row) => row.value()) : []);
  return box;
}

// editor.element to show; editor.value() → {"mon": [["09:00","12:30"], …], …} (closed days left out);
// editor.problem() → a sentence when a range ends before it starts, else null.
export function hoursEditor(openingHours) {
  const days = WEEKDAYS.map((day) => dayEditor(day, (openingHours && openingHours[day]) || []));
  const element = h("div", {class: "hours-editor"}, days);
  const value = () => Object.fromEntries(days.map((box, i) => [WEEKDAYS[i], box.value()]).filter(([, ranges]) => ranges.length));
  const problem = () => {
    for (const [day, ranges] of Object.entries(value())) {
      const label = t(`weekdays.${day}`);
      if (ranges.some(([start, end]) => !clockText(start) || !clockText(end))) return t("admin2.hours.bad_time", {day: label});
      if (ranges.some(([start, end]) => end <= start)) return t("admin2.hours.bad_range", {day: label});
      const sorted = ranges.map(([start, end]) => [clockText(start), clockText(end)]).sort();
      if (sorted.some(([start], i) => i > 0 && start < sorted[i - 1][1])) return t("admin2.hours.overlap", {day: label});
    }
    return null;
  };
  return {element, value, problem};
}

// "Lun. 09:00–12:30, 13:30–18:00 · Sam. fermé" in one line per open day, for lists.
export function hoursSummary(openingHours) {
  const open = WEEKDAYS.filter((day) => (openingHours?.[day] || []).length);
  if (!open.length) return t("admin2.hours.always_closed");
  return open.map((day) => `${t(`reports.day_short.${day}`)} ${openingHours[day].map(([a, b]) => `${a}–${b}`).join(", ")}`).join(" · ");
}
