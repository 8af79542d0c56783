// Staff accounts (admin): the list, a new account with its invite, deactivate or reactivate, erase,
// and the sites each one may act on (PUT /api/users/{id}/sites, where the server offers it).
import {api, get, patch, post, query} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {confirmButton, field, h, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {inviteCard} from "/js/invite-card.js";

function siteName(sites, slug) {
  return (sites.find((s) => s.slug === slug) || {}).name || "";
}

// The sites a staff member may act on: checkboxes, saved together. Hidden where the server does
// not list them (user details without `sites`).
async function sitesEditor(user, sites, messages) {
  const detail = await get(`/api/users/${user.id}`);
  if (!Array.isArray(detail.sites)) return h("p", {class: "hint"}, t("admin2.staff.home_site_only", {site: siteName(sites, user.site)}));
  const boxes = sites.map((site) => h("input", {type: "checkbox", value: site.slug, checked: detail.sites.includes(site.slug)}));
  const form = h("form", {class: "staff-sites"},
    h("fieldset", {}, h("legend", {}, t("admin2.staff.sites_of", {name: user.name})),
      sites.map((site, i) => h("label", {class: "check"}, boxes[i], " ", site.name))),
    h("button", {type: "submit"}, t("admin2.staff.save_sites")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", `/api/users/${user.id}/sites`, {sites: boxes.filter((b) => b.checked).map((b) => b.value)});
      messages.say(t("admin2.staff.sites_saved", {name: user.name}));
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}

// GDPR art. 17 for a staff account: their name leaves every record they signed (ledger, maintenance,
// custody log); the records and their figures stay. A second tap confirms.
function eraseButton(user, messages, reload) {
  return confirmButton(t("learners.erase"), t("learners.erase_confirm"), async () => {
    try {
      await post(`/api/users/${user.id}/erase`);
      await reload();
      messages.say(t("learners.erased", {name: user.name}));
    } catch (error) {
      messages.fail(error);
    }
  }, {class: "danger"});
}

// Each action redraws the list before it says it is done: someone who taps on at the message acts
// on the new list, not on one about to be replaced (an opened sites editor vanished under the tap).
// created: the new account's invite card under the form, taken away when another invite replaces it.
function staffItem(user, sites, messages, reload, created) {
  const more = h("div", {class: "staff-more"});
  const toggle = user.active
    ? confirmButton(t("admin2.staff.deactivate"), t("admin2.staff.deactivate_confirm"), async () => {
      try {
        await post(`/api/users/${user.id}/deactivate`);
        await reload();
        messages.say(t("admin2.staff.deactivated", {name: user.name}));
      } catch (error) {
        messages.fail(error);
      }
    }, {class: "danger"})
    : h("button", {type: "button", onclick: async () => {
      try {
        await patch(`/api/users/${user.id}`, {active: true});
        await reload();
        messages.say(t("admin2.staff.reactivated", {name: user.name}));
      } catch (error) {
        messages.fail(error);
      }
    }}, t("admin2.staff.reactivate"));
  const sitesButton = h("button", {type: "button", "aria-expanded": "false", onclick: async () => {
    const open = sitesButton.getAttribute("aria-expanded") === "true";
    sitesButton.setAttribute("aria-expanded", String(!open));
    try {
      replace(more, open ? null : await sitesEditor(user, sites, messages));
    } catch (error) {
      messages.fail(error);
    }
  }}, t("admin2.staff.sites"));
  // A new invite (a lost one, a forgotten password): the old one and the sessions end (issue 28).
  const reinvite = user.active ? confirmButton(t("admin2.staff.invite_again"), t("admin2.staff.invite_again_confirm"), async () => {
    try {
      const invite = await post(`/api/users/${user.id}/invite`);
      if (created.dataset.user === String(user.id)) replace(created);  // that QR no longer works
      replace(more, inviteCard(user.name, invite, {staff: true, login: user.login}));
      messages.say(t("admin2.staff.invited_again", {name: user.name}));
    } catch (error) {
      messages.fail(error);
    }
  }) : null;
  return h("li", {class: "item"},
    h("div", {class: "item-main"}, h("p", {class: "item-title"}, user.name),
      h("p", {class: "item-sub"}, `${user.login} · ${siteName(sites, user.site)}`),
      h("p", {class: "item-sub"}, user.active ? (user.activated ? t("admin2.staff.active") : t("admin2.staff.invited")) : t("admin2.staff.inactive"))),
    h("div", {class: "item-actions"}, sitesButton, reinvite, toggle, eraseButton(user, messages, reload)), more);
}

function createForm(sites, messages, reload, invite) {
  const name = h("input", {required: true, autocomplete: "off", maxlength: "200"});
  const login = h("input", {required: true, autocapitalize: "none", spellcheck: "false", autocomplete: "off"});
  const site = select(sites.map((s) => [s.slug, s.name]));
  const form = h("form", {class: "card", "aria-labelledby": "h-staff-new"}, h("h2", {id: "h-staff-new"}, t("admin2.staff.new")),
    field(t("learners.name"), name), field(t("learners.login"), login, t("learners.login_hint")),
    field(t("admin2.staff.home_site"), site), h("button", {type: "submit", class: "primary wide"}, t("admin.create_staff")), invite);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await post("/api/users", {name: name.value.trim(), login: login.value.trim(), role: "staff", site: site.value});
      replace(invite, inviteCard(created.user.name, created.invite, {staff: true, login: created.user.login}));
      invite.dataset.user = String(created.user.id);
      name.value = login.value = "";
      await reload();
      messages.say(t("admin2.staff.created", {name: created.user.name}));
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}

export async function render(root) {
  const messages = messageArea();
  const sites = await get("/api/sites");
  const list = h("ul", {class: "list"});
  const created = h("div", {"aria-live": "polite"});
  const reload = async () => {
    const staff = await get(`/api/users${query({role: "staff"})}`);
    replace(list, staff.length ? staff.map((user) => staffItem(user, sites, messages, reload, created)) : h("li", {class: "empty"}, t("admin2.staff.none")));
  };
  await reload();
  root.append(backToHub(), h("h1", {}, t("admin.staff")), messages.box,
    h("section", {class: "card", "aria-labelledby": "h-staff-list"}, h("h2", {id: "h-staff-list"}, t("admin2.staff.list")), list),
    createForm(sites, messages, reload, created));
}
