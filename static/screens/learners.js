// Learners of my site: find, create (with the invite QR), import a CSV, invite again, deactivate, trainings,
// download their data; admins erase them.
import {ApiError, api, errorMessage, get, post, query, waitText} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {inviteCard, keepImportedSheet} from "/js/invite-card.js";
import {lateRecordPart} from "/js/late-returns.js";
import {isAdmin, workSites} from "/js/session.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";

// The trainings that can be granted and the sites; without the trainings the screen still works.
async function loadContext() {
  const sites = await get("/api/sites");
  try {
    return {trainings: await get("/api/trainings"), sites};
  } catch {
    return {trainings: [], sites}; // the trainings panel stays empty
  }
}

// An action whose failure is said in the screen's message area.
function reporting(page, action) {
  return async () => {
    try {
      await action();
    } catch (error) {
      replace(page.messages, notice(errorMessage(error)));
    }
  };
}

function showInvite(page, name, invite, login = "") {
  replace(page.shown, inviteCard(name, invite, {login}));
  page.shown.scrollIntoView({block: "start"});
}

// The new learner's site: a field when this person acts for several (the admin: all), else said.
function siteField(page) {
  const mine = workSites(page.sites);
  if (mine.length < 2) return {value: () => page.site.slug, el: h("p", {class: "hint"}, t("screens.creating_at", {site: page.site.name}))};
  const chosen = select(mine.map((s) => [s.slug, s.name]), {value: page.site.slug, required: true});
  return {value: () => chosen.value, el: field(t("screens.learner_site"), chosen)};
}

// Create one learner; a refusal is said inside the form, where the person is looking.
function createForm(page) {
  const name = h("input", {autocomplete: "off", required: true});
  const login = h("input", {autocomplete: "off", autocapitalize: "none", spellcheck: "false", required: true});
  const cohort = h("input", {autocomplete: "off"});
  const site = siteField(page);
  const said = h("div", {class: "messages", "aria-live": "polite"});
  const form = h("form", {class: "card", "aria-labelledby": "h-new"},
    h("h2", {id: "h-new"}, t("learners.new")),
    field(t("learners.name"), name), field(t("learners.login"), login, t("learners.login_hint")), field(t("learners.cohort"), cohort),
    site.el, said, h("button", {type: "submit", class: "primary wide"}, t("learners.create")));
  const create = reporting({messages: said}, async () => {
    replace(said);
    const created = await post("/api/users", {name: name.value.trim(), login: login.value.trim(), cohort: cohort.value.trim(), site: site.value()});
    replace(page.messages, notice(t("learners.created", {name: created.user.name}), "ok"));
    showInvite(page, created.user.name, created.invite, created.user.login);
    name.value = login.value = "";
    await load(page);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    return create();
  });
  return form;
}

// The import's outcome: the counts, the invitation sheet of those created, the lines refused.
function importReport(page, result) {
  const created = result.rows.filter((r) => r.status === "created" && r.invite);
  const cohorts = [...new Set(created.map((r) => r.cohort).filter(Boolean))];
  return [
    notice(t("learners.imported", {created: result.created, errors: result.errors}), result.errors ? "error" : "ok"),
    created.length ? h("button", {type: "button", class: "primary wide", onclick: () => {
      keepImportedSheet(cohorts.length === 1 ? cohorts[0] : "", created.map((r) => ({
        user: {id: r.user_id, name: r.name || r.login, login: r.login}, invite: r.invite})));
      page.ctx.go("learners/invites");
    }}, t("desk.invites_print")) : null,
    h("ul", {class: "list"}, result.rows.filter((r) => r.status === "error").map((r) =>
      h("li", {class: "item"}, t("learners.import_line", {line: r.line, login: r.login}), " — ", errorMessage(new ApiError(422, r.code, r.detail))))),
  ];
}

// Import a CSV (name, login, site, cohort): each row on its own, a report per line.
function importForm(page) {
  const file = h("input", {type: "file", accept: ".csv,text/csv"});
  const progress = h("progress", {max: "100", hidden: true, "aria-label": t("learners.import_progress")});
  const report = h("div", {"aria-live": "polite"});
  const form = h("form", {class: "card", "aria-labelledby": "h-import"},
    h("h2", {id: "h-import"}, t("learners.import")),
    field(t("learners.csv_file"), file, t("screens.csv_hint", {site: page.site.name})),
    progress,
    h("button", {type: "submit", class: "wide"}, t("learners.import_submit")), report);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    progress.hidden = false;
    progress.removeAttribute("value");
    try {
      const result = await api("POST", `/api/users/import${query({site: page.site.slug})}`, chosen, {contentType: "text/csv"});
      progress.value = 100;
      replace(report, importReport(page, result));
      await load(page);
    } catch (error) {
      progress.hidden = true;
      // All or nothing: the bad lines, each with its reason, so the file can be fixed and sent again.
      const bad = (error.body && error.body.rows) || [];
      replace(report, [notice(errorMessage(error)), h("ul", {class: "list"}, bad.map((r) =>
        h("li", {class: "item"}, t("learners.import_line", {line: r.line, login: r.login}), " — ",
          errorMessage(new ApiError(422, r.code, r.detail)))))]);
    }
  });
  return form;
}

// Too many wrong passwords: how long the account waits, and a button that lifts it now.
function lockedBox(page, person, full, reopen) {
  if (full.login_wait_seconds <= 0) return null;
  return h("div", {class: "security-locked"},
    h("p", {}, t("security.locked", {wait: waitText(full.login_wait_seconds)})),
    h("button", {type: "button", onclick: reporting(page, async () => {
      await post(`/api/users/${person.id}/unlock`);
      page.ctx.toast(t("security.unlocked", {name: full.name}));
      reopen();
    })}, t("security.unlock")));
}

// The trainings held (each revocable) and the ones that can be granted.
function trainingsPart(page, person, full, reopen) {
  const held = new Set(full.certifications.filter((c) => !c.expired).map((c) => c.training_id));
  const grantable = page.trainings.filter((tr) => !held.has(tr.id));
  const trainingSelect = select(grantable.map((tr) => [String(tr.id), tr.name]));
  return [
    h("h3", {}, t("learners.trainings")),
    full.certifications.length ? h("ul", {}, full.certifications.map((c) => h("li", {}, c.training, c.expired ? ` (${t("learners.expired")})` : "", " ",
      confirmButton(t("learners.revoke"), t("learners.revoke_confirm"), async () => {
        await api("DELETE", `/api/users/${person.id}/certifications/${c.training_id}`);
        reopen();
      }, {class: "link"})))) : h("p", {class: "empty"}, t("learners.no_training")),
    grantable.length ? h("div", {class: "inline-form"}, field(t("learners.grant_label"), trainingSelect),
      h("button", {type: "button", onclick: reporting(page, async () => {
        await post(`/api/users/${person.id}/certifications`, {training_id: Number(trainingSelect.value)});
        reopen();
      })}, t("learners.grant"))) : null,
  ];
}

// Their data as a download (GDPR right of access), and for an admin the erasure (right to erasure),
// armed by a second tap: it cannot be undone.
function privacyPart(page, person, full) {
  const erase = isAdmin() ? confirmButton(t("learners.erase"), t("learners.erase_confirm"), reporting(page, async () => {
    await post(`/api/users/${person.id}/erase`);
    replace(page.messages); // an earlier refusal no longer holds
    page.ctx.toast(t("learners.erased", {name: full.name}));
    await load(page);
  }), {class: "danger"}) : null;
  return h("div", {class: "privacy"},
    h("p", {}, h("a", {class: "button", href: page.ctx.href(`people/${person.id}/minor`)}, t("minors.open_record"))),
    h("p", {}, h("a", {class: "button", href: `/api/users/${person.id}/data`, download: ""}, t("learners.data"))),
    erase ? h("p", {class: "hint"}, t("learners.erase_help")) : null, erase);
}

// An active account can be invited again or deactivated.
function accountButtons(page, person, full) {
  return h("div", {class: "button-row"},
    full.active ? h("button", {type: "button", onclick: reporting(page, async () => {
      showInvite(page, full.name, await post(`/api/users/${person.id}/invite`), full.login);
    })}, t("learners.invite_again")) : null,
    full.active ? confirmButton(t("learners.deactivate"), t("learners.deactivate_confirm"), reporting(page, async () => {
      await post(`/api/users/${person.id}/deactivate`);
      page.ctx.toast(t("learners.deactivated", {name: full.name}));
      await load(page);
    }), {class: "danger"}) : null);
}

// What the learner holds now and their bookings of the last weeks and the coming ones, at the
// site shown (the desk's own lists, filtered to this person); nothing when they cannot be read.
async function activityPart(page, person) {
  const {slug, timezone} = page.site;
  const today = fmt.today(timezone);
  try {
    const [out, bookings] = await Promise.all([get(`/api/checkouts${query({site: slug})}`),
      get(`/api/bookings${query({site: slug, from: fmt.addDays(today, -60), to: fmt.addDays(today, 15)})}`)]);
    const held = out.filter((b) => b.user && b.user.id === person.id);
    const theirs = bookings.filter((b) => b.user && b.user.id === person.id && b.status !== "checked_out")
      .sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at)).slice(0, 10);
    const line = (b) => h("li", {}, h("a", {href: `/t/${encodeURIComponent(b.resource)}`}, b.resource_name || b.resource), " — ",
      fmt.span(b.starts_at, b.ends_at, timezone), " · ", t(`booking_status.${b.status}`));
    return [
      h("h3", {}, t("screens.holds_now")),
      held.length ? h("ul", {class: "list holds"}, held.map(line)) : h("p", {class: "empty"}, t("screens.holds_nothing")),
      h("h3", {}, t("screens.history")),
      theirs.length ? h("ul", {class: "list history"}, theirs.map(line)) : h("p", {class: "empty"}, t("screens.history_none")),
    ];
  } catch {
    return null;
  }
}

// Their hand-overs at the desk (issue 31) with the receipts, and a way to lend them several items.
async function handoversPart(person, timezone) {
  const handovers = await get(`/api/handovers${query({user: String(person.id)})}`).catch(() => []);
  const receipt = (href, label) => h("a", {href, target: "_blank", rel: "noopener"}, label);
  return [
    h("h3", {}, t("agreement.handovers_title")),
    handovers.length ? h("ul", {class: "list handovers receipts"}, handovers.slice(0, 10).map((x) => h("li", {},
      t("agreement.handover_line", {when: fmt.moment(x.at, timezone), count: x.bookings.length}), " · ",
      receipt(x.receipt, t("agreement.receipt")), " · ", receipt(x.return_receipt, t("agreement.return_receipt")))))
      : h("p", {class: "empty"}, t("agreement.handovers_none")),
    h("p", {}, h("a", {class: "button", href: `/#/handover?user=${encodeURIComponent(person.id)}`}, t("agreement.title"))),
  ];
}

// One learner's account, asked when their line is opened (and again after each change).
async function openLearner(page, person, details) {
  const reopen = () => openLearner(page, person, details);
  try {
    const full = await get(`/api/users/${person.id}`);
    replace(details,
      h("p", {class: "item-sub"}, full.activated ? t("learners.activated") : t("learners.not_activated")),
      lockedBox(page, person, full, reopen),
      trainingsPart(page, person, full, reopen),
      await lateRecordPart(person.id),
      await activityPart(page, person),
      await handoversPart(person, page.site.timezone),
      accountButtons(page, person, full),
      privacyPart(page, person, full));
  } catch (error) {
    replace(details, notice(errorMessage(error)));
  }
}

function learnerItem(page, person) {
  const details = h("div", {});
  const box = h("details", {class: "item learner", "data-user": String(person.id)},
    h("summary", {}, h("span", {class: "item-title"}, person.name), " ",
      h("span", {class: "item-sub mono"}, person.login, person.cohort ? ` · ${person.cohort}` : "", person.active ? "" : ` · ${t("learners.inactive")}`)),
    details);
  box.addEventListener("toggle", () => box.open && openLearner(page, person, details));
  return h("li", {}, box);
}

async function load(page) {
  const asked = (page.loads = (page.loads || 0) + 1);
  try {
    const people = await get(`/api/users${query({role: "learner", site: page.site.slug, q: page.search.value.trim()})}`);
    if (asked !== page.loads) return; // a later search is on its way: its list wins
    // A line opened while the search ran (a slow network) stays open when the list is drawn again.
    const open = new Set([...page.list.querySelectorAll("details.learner[open]")].map((box) => box.dataset.user));
    replace(page.list, h("p", {class: "hint"}, t("learners.count", {n: people.length})),
      h("ul", {class: "list"}, people.slice(0, 200).map((person) => learnerItem(page, person))));
    for (const box of page.list.querySelectorAll("details.learner")) {
      if (open.has(box.dataset.user)) box.open = true;
    }
  } catch (error) {
    replace(page.list, notice(errorMessage(error)));
  }
}

export async function render(root, ctx) {
  const {trainings, sites} = await loadContext();
  const site = chosenSite(sites, ctx.query.get("site"));
  const page = {ctx, trainings, sites, site, messages: h("div", {class: "messages"}), shown: h("div", {"aria-live": "polite"}),
    list: h("div", {}), search: h("input", {type: "search", autocomplete: "off"})};
  const search = page.search;
  search.addEventListener("input", () => {
    clearTimeout(search.timer);
    search.timer = setTimeout(() => load(page), 300);
  });
  const forms = [createForm(page), importForm(page)];
  replace(root,
    h("h1", {}, t("learners.title")),
    h("p", {class: "lead"}, t("learners.at_site", {site: site.name})),
    sitePicker(sites, site, (slug) => ctx.go(`learners${query({site: slug})}`)),
    page.messages, page.shown,
    field(t("learners.search"), search),
    page.list,
    forms,
    h("p", {}, h("a", {class: "button wide", href: ctx.href("learners/invites")}, t("desk.invites_title"))),
  );
  await load(page);
}
