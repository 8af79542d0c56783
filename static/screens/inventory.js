// Inventory of my site: items by kind and status, new item, label sheets, CSV export, count.
import {errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {workSites} from "/js/session.js";
import {chosenSite, rememberSite} from "/js/site-choice.js";
import {moment} from "/js/desk.js";
import {vocabulary} from "/js/vocabulary.js";

const {kinds: KINDS, resource_statuses: STATUSES} = await vocabulary();

// A lent item says who has it until when (and when it is late), never just its status.
function itemState(item, tz) {
  if (item.loan) {
    const who = item.loan.holder ? item.loan.holder.name : t("desk.someone");
    return h("span", {}, h("span", {class: "badge st-lent"}, t("desk.loan_until", {name: who, when: moment(item.loan.due_at, tz)})),
      item.loan.overdue ? [" ", h("span", {class: "badge st-overdue"}, t("desk.overdue"))] : null);
  }
  return h("span", {class: `badge st-${item.status}`}, fmt.statusLabel(item.status));
}

// Site, kind and status: a change lists again.
function filters(page) {
  const state = page.state;
  const siteSelect = select(page.sites.map((s) => [s.slug, s.name]), {value: state.site});
  const kindSelect = select([["", t("inventory.all_kinds")], ...KINDS.map((k) => [k, fmt.kindLabel(k)])], {value: state.kind});
  const statusSelect = select([["", t("inventory.all_statuses")], ...STATUSES.map((s) => [s, fmt.statusLabel(s)])], {value: state.status});
  for (const [el, key] of [[siteSelect, "site"], [kindSelect, "kind"], [statusSelect, "status"]]) {
    el.addEventListener("change", () => {
      state[key] = el.value;
      if (key === "site") rememberSite(el.value);
      load(page);
    });
  }
  return h("div", {class: "card"}, field(t("inventory.site"), siteSelect), field(t("inventory.kind"), kindSelect), field(t("inventory.status"), statusSelect));
}

// Label sheets, the CSV export and the count, for what the filters show; at a site this person
// does not act for, only the list (the rest could only be refused).
function drawLinks(page) {
  const state = page.state;
  const mine = workSites(page.sites).some((s) => s.slug === state.site);
  if (page.form) page.form.hidden = !mine;
  if (!mine) {
    replace(page.links, h("span", {class: "hint"}, t("screens.other_site_inventory")));
    return;
  }
  replace(page.links,
    page.chosenLink,
    h("a", {class: "button", href: `/api/labels${query({site: state.site, kind: state.kind})}`, target: "_blank", rel: "noopener"}, t("inventory.labels")),
    h("a", {class: "button", href: `/api/labels${query({site: state.site, kind: state.kind, format: "pdf"})}`, target: "_blank", rel: "noopener"}, t("inventory.labels_pdf")),
    h("a", {class: "button", href: `/api/resources/export.csv${query({site: state.site, kind: state.kind})}`}, t("inventory.export")),
    h("a", {class: "button", href: page.ctx.href("audit")}, t("inventory.count")));
}

// The labels of the items ticked, or a hint while none is.
function showChosen(page) {
  const tags = [...page.chosen];
  replace(page.chosenLink, tags.length
    ? h("a", {class: "button primary", href: `/api/labels${query({tags: tags.join(",")})}`, target: "_blank", rel: "noopener"},
      t("inventory.labels_chosen", {n: tags.length}))
    : h("span", {class: "hint"}, t("inventory.labels_choose_hint")));
}

function chooseBox(page, item) {
  const box = h("input", {type: "checkbox", checked: page.chosen.has(item.tag), "aria-label": t("inventory.choose", {name: item.name})});
  box.addEventListener("change", () => {
    if (box.checked) page.chosen.add(item.tag);
    else page.chosen.delete(item.tag);
    showChosen(page);
  });
  return h("label", {class: "choose-label"}, box);
}

function itemLine(item, tz, page) {
  const mine = workSites(page.sites).some((s) => s.slug === page.state.site);
  return h("li", {class: "item"},
    mine ? chooseBox(page, item) : null,
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {href: `/t/${encodeURIComponent(item.tag)}`}, item.name)),
      h("p", {class: "item-sub"}, h("span", {class: "mono"}, item.tag), " · ", fmt.kindLabel(item.kind), " ",
        itemState(item, tz))));
}

async function load(page) {
  const state = page.state;
  drawLinks(page);
  try {
    const items = await get(`/api/resources${query(state)}`);
    const tz = (page.sites.find((s) => s.slug === state.site) || {}).timezone;
    replace(page.list, h("p", {class: "hint"}, t("inventory.count_items", {n: items.length})),
      h("ul", {class: "list inventory-items"}, items.map((item) => itemLine(item, tz, page))));
  } catch (error) {
    replace(page.list, notice(errorMessage(error)));
  }
}

// A new item at the chosen site; its tag is made by the server.
function createForm(page) {
  const newName = h("input", {required: true, maxlength: "200"});
  const newKind = select(KINDS.map((k) => [k, fmt.kindLabel(k)]));
  const form = h("form", {class: "card", "aria-labelledby": "h-new-item"},
    h("h2", {id: "h-new-item"}, t("inventory.new")),
    field(t("inventory.name"), newName), field(t("inventory.kind"), newKind),
    h("p", {class: "hint"}, t("inventory.tag_auto")),
    h("button", {type: "submit", class: "primary wide"}, t("inventory.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const item = await post("/api/resources", {site: page.state.site, kind: newKind.value, name: newName.value.trim()});
      replace(page.messages, notice(t("inventory.created", {tag: item.tag}), "ok"));
      newName.value = "";
      await load(page);
    } catch (error) {
      replace(page.messages, notice(errorMessage(error)));
    }
  });
  return form;
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const state = {site: (sites.find((s) => s.slug === ctx.query.get("site")) || chosenSite(sites) || sites[0]).slug, kind: ctx.query.get("kind") || "", status: ctx.query.get("status") || ""};
  const page = {ctx, sites, state, list: h("div", {"aria-live": "polite"}), messages: h("div", {class: "messages"}),
    links: h("p", {class: "button-row"}), chosen: new Set(), chosenLink: h("span", {class: "chosen-labels"})};
  showChosen(page);
  const form = page.form = createForm(page);
  replace(root, h("h1", {}, t("inventory.title")), page.messages, filters(page), page.links, page.list, form);
  await load(page);
}
