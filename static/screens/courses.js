// Parcours (staff, issue 29): a site's courses, a new one with its target hours, and a course's
// page with each young person's hours against the target (completion when it is reached).
import {errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {number} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";
import {siteCourses, siteOf} from "/js/workshops.js";

function courseForm(site, done, messages) {
  const title = h("input", {required: true, maxlength: "200"});
  const description = h("textarea", {maxlength: "5000", rows: "2"});
  const target = h("input", {type: "number", inputmode: "decimal", min: "1", max: "2000", step: "0.5", value: "35", required: true});
  const form = h("form", {class: "card", "aria-labelledby": "h-new-course"},
    h("h2", {id: "h-new-course"}, t("workshops.add_course")),
    field(t("workshops.course_title"), title), field(t("workshops.description"), description),
    field(t("workshops.target_hours"), target),
    h("button", {type: "submit", class: "primary wide"}, t("workshops.add_course")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await post("/api/courses", {site: site.slug, title: title.value.trim(),
        description: description.value.trim(), target_hours: Number(target.value)});
      done(made);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function progressItem(course, p) {
  return h("li", {class: "item"}, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, p.name, p.completed ? [" ", h("span", {class: "badge st-confirmed"}, t("workshops.completed"))] : null),
    h("p", {class: "item-sub"}, t("workshops.progress", {done: number(Number(p.hours)), target: number(Number(course.target_hours))}))));
}

// One course: its workshops and each young person's hours.
async function renderCourse(root, ctx) {
  const course = await get(`/api/courses/${encodeURIComponent(ctx.params.id)}`);
  const site = siteOf(await get("/api/sites"), course.site);
  const people = [...course.participants].sort((a, b) => Number(b.hours) - Number(a.hours));
  replace(root,
    h("p", {class: "back"}, h("a", {href: ctx.href(`courses${query({site: course.site})}`)}, t("workshops.courses_title"))),
    h("h1", {}, course.title),
    h("p", {class: "lead"}, site.name, " · ", t("workshops.course_target", {n: number(Number(course.target_hours))})),
    course.description ? h("p", {}, course.description) : null,
    h("p", {class: "links"}, h("a", {class: "button wide", href: ctx.href(`workshops${query({site: course.site, course: course.id})}`)},
      t("workshops.course_new_workshop"))),
    h("ul", {class: "list"}, course.workshops.map((w) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, w.title), h("p", {class: "item-sub"}, fmt.span(w.starts_at, w.ends_at, site.timezone)))))),
    h("h2", {}, t("workshops.course_people")),
    people.length ? h("ul", {class: "list course-people"}, people.map((p) => progressItem(course, p)))
      : h("p", {class: "empty"}, t("workshops.course_nobody")));
}

export async function render(root, ctx) {
  if (ctx.params.id) return renderCourse(root, ctx);
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const courses = await siteCourses(site.slug);
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const done = (made) => {
    ctx.toast(t("workshops.course_added", {title: made.title}));
    ctx.go(`courses/${made.id}`);
  };
  return replace(root,
    h("h1", {}, t("workshops.courses_title")),
    h("p", {class: "lead"}, t("workshops.courses_lead")),
    h("p", {class: "lead"}, site.name),
    sitePicker(sites, site, (slug) => ctx.go(`courses${query({site: slug})}`)),
    messages,
    courses.length ? h("ul", {class: "list courses"}, courses.map((c) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {href: ctx.href(`courses/${c.id}`)}, c.title)),
      h("p", {class: "item-sub"}, t("workshops.course_workshops", {n: c.workshops}), " · ",
        t("workshops.course_target", {n: number(Number(c.target_hours))}))))))
      : h("p", {class: "empty"}, t("workshops.courses_none")),
    courseForm(site, done, messages));
}
