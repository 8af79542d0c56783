// A workshop's form (issue 29): all of it for a new one; for one that exists, what may change
// without moving its sign-ups (title, description, capacity, ages, audience, course). Times and
// room are fixed once people signed up: the API refuses them in an edit.
import {errorMessage, post, patch} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {zonedIso} from "/js/workshops.js";

const AUDIENCES = ["public", "referral"];

function numberInput(attrs = {}) {
  return h("input", {type: "number", inputmode: "numeric", step: "1", ...attrs});
}

const orNull = (input) => (input.value === "" ? null : Number(input.value));

// The fields both forms have, filled from `w` when editing.
function commonFields(w, courses) {
  return {
    title: h("input", {required: true, maxlength: "200", value: w?.title || ""}),
    description: h("textarea", {maxlength: "5000", rows: "3"}, w?.description || ""),
    capacity: numberInput({required: true, min: "1", max: "500", value: String(w?.capacity ?? 12)}),
    minAge: numberInput({min: "0", max: "120", value: w?.min_age ?? ""}),
    maxAge: numberInput({min: "0", max: "120", value: w?.max_age ?? ""}),
    audience: select(AUDIENCES.map((a) => [a, t(`workshops.audiences.${a}`)]), {value: w?.audience || "public"}),
    course: select([["", t("workshops.none_option")], ...courses.map((c) => [String(c.id), c.title])],
      {value: w?.course ? String(w.course) : ""}),
    // visitors (issue 30): visitors of the neighbourhood may sign up with their pass.
    visitors: h("input", {type: "checkbox", checked: Boolean(w?.open_to_visitors)}),
  };
}

function commonBody(f) {
  return {title: f.title.value.trim(), description: f.description.value.trim(), capacity: Number(f.capacity.value),
    min_age: orNull(f.minAge), max_age: orNull(f.maxAge), audience: f.audience.value,
    course: f.course.value ? Number(f.course.value) : null, open_to_visitors: f.visitors.checked};
}

// When and where: the day at the site, its start and end, and a room of the site (booked for it).
function whenFields(site, rooms) {
  const day = fmt.addDays(fmt.today(site.timezone), 7);
  return {
    day: h("input", {type: "date", required: true, value: day}),
    starts: h("input", {type: "time", required: true, value: "09:30"}),
    ends: h("input", {type: "time", required: true, value: "12:30"}),
    room: select([["", t("workshops.no_room")], ...rooms.map((r) => [r.tag, r.name])]),
  };
}

// Seats held for one partner until a day and time (two days before the workshop by default).
function holdFields(partners) {
  return {
    partner: select([["", t("workshops.none_option")], ...partners.map((p) => [String(p.id), p.name])]),
    seats: numberInput({min: "1", max: "500", value: "4"}),
    untilDay: h("input", {type: "date"}),
    untilTime: h("input", {type: "time", value: "18:00"}),
  };
}

function holdsBody(hold, when, tz) {
  if (!hold.partner.value) return [];
  const untilDay = hold.untilDay.value || fmt.addDays(when.day.value, -2);
  return [{partner: Number(hold.partner.value), seats: Number(hold.seats.value),
    held_until: zonedIso(untilDay, hold.untilTime.value || "18:00", tz)}];
}

function commonParts(f) {
  return [field(t("workshops.title_label"), f.title), field(t("workshops.description"), f.description),
    field(t("workshops.capacity"), f.capacity),
    h("div", {class: "two-up"}, field(t("workshops.min_age"), f.minAge), field(t("workshops.max_age"), f.maxAge)),
    field(t("workshops.audience"), f.audience), field(t("workshops.course"), f.course),
    h("label", {class: "check"}, f.visitors, h("span", {}, t("visitors.open_to_visitors")))];
}

// The partner, the seats, and until when (two days before the workshop unless changed).
function holdPart(hold, when) {
  hold.untilDay.value = fmt.addDays(when.day.value, -2);
  when.day.addEventListener("change", () => {
    if (when.day.value) hold.untilDay.value = fmt.addDays(when.day.value, -2);
  });
  return h("fieldset", {class: "hold"}, h("legend", {}, t("workshops.hold_partner")),
    field(t("workshops.partner"), hold.partner), field(t("workshops.hold_seats"), hold.seats),
    field(t("workshops.hold_until"), hold.untilDay), field(t("workshops.hold_time"), hold.untilTime),
    h("p", {class: "hint"}, t("workshops.hold_hint")));
}

// A new workshop at `site`; `done(made)` once it is saved.
export function newWorkshopForm({site, rooms, partners, courses, course, done}) {
  const f = commonFields({course}, courses);
  const when = whenFields(site, rooms);
  const hold = holdFields(partners);
  const messages = h("div", {class: "messages"});
  const parts = commonParts(f);
  const form = h("form", {class: "card workshop-form", "aria-labelledby": "h-new-workshop"},
    h("h2", {id: "h-new-workshop"}, t("workshops.new")), messages,
    parts.slice(0, 2), field(t("workshops.day"), when.day),
    h("div", {class: "two-up"}, field(t("workshops.starts"), when.starts), field(t("workshops.ends"), when.ends)),
    field(t("workshops.room"), when.room), parts.slice(2),
    partners.length ? holdPart(hold, when) : null,
    h("button", {type: "submit", class: "primary wide"}, t("workshops.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const tz = site.timezone;
    try {
      const made = await post("/api/workshops", {...commonBody(f), site: site.slug, room: when.room.value || null,
        starts_at: zonedIso(when.day.value, when.starts.value, tz), ends_at: zonedIso(when.day.value, when.ends.value, tz),
        holds: holdsBody(hold, when, tz)});
      done(made);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
      messages.scrollIntoView({block: "nearest"});
    }
  });
  return form;
}

// What may change of workshop `w`; `done(saved)` once it is saved.
export function editWorkshopForm({w, courses, done}) {
  const f = commonFields(w, courses);
  const messages = h("div", {class: "messages"});
  const form = h("form", {class: "workshop-edit"}, messages, commonParts(f),
    h("button", {type: "submit", class: "primary wide"}, t("workshops.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      done(await patch(`/api/workshops/${w.id}`, commonBody(f)));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}
