// Waitlists (staff): a site's day, kind by kind in queue order; promote out of turn or remove.
import {ApiError, api, errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {workSites} from "/js/session.js";
import {chosenSite, rememberSite} from "/js/site-choice.js";
import {vocabulary} from "/js/vocabulary.js";

const {kinds: KINDS} = await vocabulary();

function who(entry) {
  return `${entry.user.name} (${entry.user.login})`;
}

function wish(entry, tz) {
  const what = entry.resource ? (entry.resource_name || entry.resource) : t(`book.any_${entry.kind}`);
  return `${what} · ${fmt.span(entry.starts_at, entry.ends_at, tz)}`;
}

// The site and the day, from the link or my site today; a change lists that day's waitlists.
function controls(page) {
  const siteSelect = select(page.sites.map((s) => [s.slug, s.name]), {value: page.state.site});
  const dayInput = h("input", {type: "date", value: page.state.day, required: true});
  siteSelect.addEventListener("change", () => {
    page.state.site = siteSelect.value;
    rememberSite(siteSelect.value);
    load(page);
  });
  dayInput.addEventListener("change", () => {
    if (!dayInput.value) return;
    page.state.day = dayInput.value;
    load(page);
  });
  return h("div", {class: "card"}, field(t("waitlist.site"), siteSelect), field(t("waitlist.day"), dayInput));
}

async function promote(page, entry, button) {
  const messages = page.messages;
  button.disabled = true;
  replace(messages);
  try {
    await post(`/api/waitlist/${entry.id}/promote`);
    page.ctx.toast(t("waitlist.promoted", {name: who(entry)}));
    await load(page);
  } catch (error) {
    const nothingFree = error instanceof ApiError && error.code === "booking_conflict";
    replace(messages, notice(nothingFree ? t("waitlist.nothing_free") : errorMessage(error)));
    messages.scrollIntoView({block: "nearest"});
    button.disabled = false;
  }
}

async function remove(page, entry) {
  replace(page.messages);
  try {
    await api("DELETE", `/api/waitlist/${entry.id}`);
    page.ctx.toast(t("waitlist.removed", {name: who(entry)}));
    await load(page);
  } catch (error) {
    replace(page.messages, notice(errorMessage(error)));
  }
}

function waitingItem(page, entry, tz) {
  const promoteButton = h("button", {type: "button", class: "primary"}, t("waitlist.promote"));
  promoteButton.addEventListener("click", () => promote(page, entry, promoteButton));
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("span", {class: "badge st-waiting"}, t("waitlist.position", {n: entry.position})), " ", who(entry)),
      h("p", {class: "item-sub"}, wish(entry, tz)),
      entry.skip_reason ? h("p", {class: "hint"}, t("waitlist.skipped", {reason: t(`errors.${entry.skip_reason}`)})) : null),
    h("div", {class: "item-actions"}, promoteButton,
      confirmButton(t("waitlist.remove"), t("waitlist.remove_confirm"), () => remove(page, entry), {class: "danger"})));
}

function handledItem(entry, tz) {
  const booked = entry.booking ? ` → ${entry.booking.resource_name || entry.booking.resource}` : "";
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, who(entry)),
      h("p", {class: "item-sub"}, wish(entry, tz), booked),
      h("p", {class: "item-sub"}, h("span", {class: `badge wl-${entry.status}`}, t(`waitlist_status.${entry.status}`)))));
}

function kindSection(page, kind, entries, tz) {
  const waiting = entries.filter((e) => e.status === "waiting").sort((a, b) => a.position - b.position);
  const handled = entries.filter((e) => e.status !== "waiting");
  const id = `h-wl-${kind}`;
  return h("section", {class: "group", "aria-labelledby": id},
    h("h2", {id}, fmt.kindLabel(kind), " ", h("span", {class: "count"}, `(${t("waitlist.waiting_count", {n: waiting.length})})`)),
    waiting.length ? h("ol", {class: "list"}, waiting.map((e) => waitingItem(page, e, tz))) : null,
    handled.length ? [h("h3", {}, t("waitlist.done")), h("ul", {class: "list"}, handled.map((e) => handledItem(e, tz)))] : null);
}

async function load(page) {
  const {list, state} = page;
  replace(list, h("p", {class: "loading"}, t("app.loading")));
  try {
    const entries = await get(`/api/waitlist${query({site: state.site, date: state.day})}`);
    const site = page.siteOf(state.site);
    const kinds = KINDS.filter((k) => entries.some((e) => e.kind === k));
    replace(list,
      h("p", {class: "lead"}, `${site.name} — ${fmt.dayLabel(state.day)}`),
      kinds.length ? kinds.map((k) => kindSection(page, k, entries.filter((e) => e.kind === k), site.timezone)) : h("p", {class: "empty"}, t("waitlist.none")));
  } catch (error) {
    replace(list, notice(errorMessage(error)));
  }
}

export async function render(root, ctx) {
  const sites = workSites(await get("/api/sites"));
  const siteOf = (slug) => sites.find((s) => s.slug === slug) || sites[0];
  const state = {site: chosenSite(sites, ctx.query.get("site")).slug, day: ctx.query.get("date") || ""};
  if (!state.day) state.day = fmt.today(siteOf(state.site).timezone);
  const page = {ctx, sites, siteOf, state, messages: h("div", {class: "messages"}), list: h("div", {"aria-live": "polite"})};
  replace(root, h("h1", {}, t("waitlist.title")), controls(page), page.messages, page.list);
  await load(page);
}
