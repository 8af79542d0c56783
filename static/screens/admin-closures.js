// Closures (admin): a site's closures and public holidays; adding one first shows the confirmed
// bookings it hits and offers to cancel them (the learners are told).
import {api, get, post, query} from "/js/api.js";
import {backToHub, messageArea, tn} from "/js/admin-kit.js";
import {confirmButton, field, h, replace, select} from "/js/dom.js";
import {dateWithYear} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

function daysText(first, last) {
  return first === last ? dateWithYear(first) : t("admin2.closures.span", {from: dateWithYear(first), to: dateWithYear(last)});
}

function closureItem(closure, messages, reload) {
  const origin = closure.source === "public_holiday" ? t("admin2.closures.holiday")
    : closure.site ? "" : t("admin2.closures.all_sites");
  return h("li", {class: "item"},
    h("div", {class: "item-main"}, h("p", {class: "item-title"}, daysText(closure.starts_on, closure.ends_on)),
      h("p", {class: "item-sub"}, [closure.reason, origin].filter(Boolean).join(" · "))),
    closure.id ? confirmButton(t("admin.delete"), t("admin.delete_confirm"), async () => {
      try {
        await api("DELETE", `/api/closures/${closure.id}`);
        await reload();
        messages.say(t("admin2.closures.deleted"));
      } catch (error) {
        messages.fail(error);
      }
    }, {class: "danger"}) : null);
}

function hitList(bookings, tz) {
  return h("ul", {class: "list hits"}, bookings.map((b) => h("li", {class: "item"}, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, b.resource_name),
    h("p", {class: "item-sub"}, b.user ? b.user.name : t("reports.someone")),
    h("p", {class: "item-sub"}, fmt.span(b.starts_at, b.ends_at, tz)),
    b.shortened_to ? h("p", {class: "item-sub shortened"}, t("admin2.closures.shortened_to", {span: fmt.span(b.shortened_to[0], b.shortened_to[1], tz)})) : null))));
}

function addForm(currentSite, messages, reload) {
  const from = h("input", {type: "date", required: true, min: fmt.today()});
  const until = h("input", {type: "date", required: true, min: fmt.today()});
  const reason = h("input", {maxlength: "500", required: true});
  const everywhere = h("input", {type: "checkbox"});
  const step = h("div", {"aria-live": "polite"});
  const form = h("form", {class: "card", "aria-labelledby": "h-clo-new"}, h("h2", {id: "h-clo-new"}, t("admin2.closures.new")),
    field(t("admin.from"), from), field(t("admin.until"), until),
    field(t("admin.reason"), reason, t("admin2.closures.reason_hint")),
    h("label", {class: "check"}, everywhere, " ", t("admin2.closures.every_site")),
    h("button", {type: "submit", class: "primary wide"}, t("admin2.closures.check")), step);
  from.addEventListener("change", () => {
    if (!until.value || until.value < from.value) until.value = from.value;
  });

  async function create(cancel) {
    const site = currentSite();
    try {
      const created = await post(`/api/sites/${site.slug}/closures`, {starts_on: from.value, ends_on: until.value,
        reason: reason.value.trim(), all_sites: everywhere.checked, cancel_bookings: cancel});
      const shortened = (created.shortened_bookings || []).length;
      messages.say((cancel ? tn("admin2.closures.added_cancelled", created.cancelled_bookings.length)
        : created.affected_bookings ? tn("admin2.closures.added_kept", created.affected_bookings) : t("admin2.closures.added"))
        + (shortened ? ` ${t("admin2.closures.added_shortened", {n: shortened})}` : ""));
      replace(step);
      from.value = until.value = reason.value = "";
      everywhere.checked = false;
      await reload();
    } catch (error) {
      messages.fail(error);
    }
    messages.box.scrollIntoView({block: "center"});
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (until.value < from.value) return messages.fail(t("admin2.closures.bad_order"));
    const site = currentSite();
    try {
      const impact = await get(`/api/sites/${site.slug}/closures/impact${query({from: from.value, to: until.value, all_sites: everywhere.checked || ""})}`);
      if (impact.count === 0) return create(false);
      replace(step, h("div", {class: "impact"},
        h("h3", {}, tn("admin2.closures.hits", impact.count)), h("p", {class: "hint"}, t("admin2.closures.hits_hint")),
        hitList(impact.bookings, site.timezone),
        h("button", {type: "button", class: "primary wide", onclick: () => create(true)},
          impact.bookings.some((b) => b.shortened_to) ? t("admin2.closures.close_and_trim", {n: impact.count})
            : tn("admin2.closures.close_and_cancel", impact.count)),
        h("button", {type: "button", class: "wide", onclick: () => create(false)}, t("admin2.closures.close_keep")),
        h("button", {type: "button", class: "link", onclick: () => replace(step)}, t("admin2.closures.back_to_form"))));
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}

export async function render(root, ctx) {
  const messages = messageArea();
  const sites = await get("/api/sites");
  let site = sites.find((s) => s.slug === ctx.query.get("site")) || sites[0];
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: site.slug});
  const list = h("ul", {class: "list"});
  const reload = async () => {
    const today = fmt.today(site.timezone);
    const rows = await get(`/api/sites/${site.slug}/closures${query({from: today, to: fmt.addDays(today, 365)})}`);
    replace(list, rows.length ? rows.map((c) => closureItem(c, messages, reload)) : h("li", {class: "empty"}, t("admin.no_closures")));
  };
  siteSelect.addEventListener("change", async () => {
    site = sites.find((s) => s.slug === siteSelect.value);
    messages.clear();
    try {
      await reload();
    } catch (error) {
      messages.fail(error);
    }
  });
  await reload();
  root.append(backToHub(), h("h1", {}, t("admin.closures")), h("div", {class: "card"}, field(t("admin.site"), siteSelect)),
    messages.box, addForm(() => site, messages, reload),
    h("section", {class: "card", "aria-labelledby": "h-clo-list"}, h("h2", {id: "h-clo-list"}, t("admin2.closures.coming")), list));
}
