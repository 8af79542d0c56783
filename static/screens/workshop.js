// A workshop's page (staff, issue 29): what it is and its seats (held for partners, until when),
// the door's attendance, its sign-ups and waiting list, signing someone up, editing, cancelling.
import {errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, field, h, notice, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {editWorkshopForm} from "/js/workshop-form.js";
import {attendancePart, registrationsPart, signUpPart} from "/js/workshop-people.js";
import {listOf, seatsText, siteCourses, siteOf, workshopFacts} from "/js/workshops.js";

// A hold: running (until when, seats taken), or ended, on its day or earlier (a change of plans).
function holdLine(hold, tz) {
  const until = fmt.moment(hold.held_until, tz);
  const words = {seats: hold.seats, partner: hold.partner_name, until, taken: hold.seats_taken};
  if (!hold.released) return h("li", {}, t("workshops.held", words));
  return h("li", {}, t(Date.parse(hold.held_until) <= Date.now() ? "workshops.held_released" : "workshops.held_opened", words));
}

function summary(page) {
  const {w, tz} = page;
  const course = page.courses.find((c) => c.id === w.course);
  return h("section", {class: "card workshop-summary"},
    h("p", {}, workshopFacts(w, tz)),
    h("p", {}, h("strong", {class: "workshop-seats"}, w.status === "cancelled" ? t("workshops.cancelled_badge") : seatsText(w)),
      w.waiting ? ` · ${t("workshops.waiting_count", {n: w.waiting})}` : ""),
    h("p", {class: "item-sub"}, t(`workshops.audiences.${w.audience}`)),
    w.open_to_visitors ? h("p", {class: "item-sub open-to-visitors"}, t("visitors.open_to_visitors")) : null,
    course ? h("p", {class: "item-sub"}, t("workshops.in_course", {course: course.title})) : null,
    (w.holds || []).length && w.status !== "cancelled" ? h("ul", {class: "facts holds"}, w.holds.map((hold) => holdLine(hold, tz))) : null,
    w.description ? h("p", {class: "hint"}, w.description) : null,
    w.cancel_note ? h("p", {class: "hint"}, w.cancel_note) : null);
}

function cancelPart(page) {
  const note = h("textarea", {maxlength: "500", rows: "2"});
  return h("details", {class: "card cancel-workshop"}, h("summary", {}, t("workshops.cancel")),
    field(t("workshops.cancel_note"), note),
    confirmButton(t("workshops.cancel"), t("workshops.cancel_confirm"), async () => {
      try {
        await post(`/api/workshops/${page.w.id}/cancel`, {note: note.value.trim()});
        page.done(t("workshops.cancelled"));
      } catch (error) {
        page.fail(error);
      }
    }, {class: "danger wide"}));
}

function editPart(page) {
  return h("details", {class: "card edit-workshop"}, h("summary", {}, t("workshops.edit")),
    editWorkshopForm({w: page.w, courses: page.courses, done: () => page.done(t("workshops.saved"))}));
}

async function load(id) {
  const w = await get(`/api/workshops/${encodeURIComponent(id)}`);
  const [rows, sites, partners, courses] = await Promise.all([
    get(`/api/workshops/${w.id}/registrations`), get("/api/sites"),
    get(`/api/partners${query({site: w.site})}`), siteCourses(w.site)]);
  return {w, rows: listOf(rows, "registrations"), site: siteOf(sites, w.site),
    partners: listOf(partners, "partners").filter((p) => p.active !== false), courses: listOf(courses, "courses")};
}

export async function render(root, ctx) {
  const data = await load(ctx.params.id);
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const page = {...data, tz: data.site.timezone,
    done: (text) => {
      ctx.toast(text);
      ctx.render();
    },
    fail: (error) => {
      replace(messages, notice(errorMessage(error)));
      messages.scrollIntoView({block: "nearest"});
    }};
  const open = page.w.status !== "cancelled";
  replace(root,
    h("p", {class: "back"}, h("a", {href: ctx.href(`workshops${query({site: page.w.site})}`)}, t("workshops.back"))),
    h("h1", {}, page.w.title),
    h("p", {class: "lead"}, page.site.name),
    summary(page), messages,
    open ? attendancePart(page) : null,
    registrationsPart(page, data.rows),
    open ? signUpPart(page) : null,
    open ? editPart(page) : null,
    open ? cancelPart(page) : null);
}
