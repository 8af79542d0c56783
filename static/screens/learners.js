// Learners of my site: find, create (with the invite QR), import a CSV, invite again, deactivate, trainings.
import {ApiError, api, errorMessage, get, post, query, waitText} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {inviteCard, keepImportedSheet} from "/js/invite-card.js";
import {currentUser} from "/js/session.js";

// The trainings that can be granted and the name of my site; without them the screen still works.
async function loadContext() {
  const me = currentUser();
  try {
    const [trainings, sites] = await Promise.all([get("/api/trainings"), get("/api/sites")]);
    return {trainings, siteName: (sites.find((s) => s.slug === me.site) || {}).name || ""};
  } catch {
    return {trainings: [], siteName: ""}; // the trainings panel stays empty
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

function showInvite(page, name, invite) {
  replace(page.shown, inviteCard(name, invite));
  page.shown.scrollIntoView({block: "start"});
}

// Create one learner.
function createForm(page) {
  const name = h("input", {autocomplete: "off", required: true});
  const login = h("input", {autocomplete: "off", autocapitalize: "none", spellcheck: "false", required: true});
  const cohort = h("input", {autocomplete: "off"});
  const form = h("form", {class: "card", "aria-labelledby": "h-new"},
    h("h2", {id: "h-new"}, t("learners.new")),
    field(t("learners.name"), name), field(t("learners.login"), login, t("learners.login_hint")), field(t("learners.cohort"), cohort),
    h("button", {type: "submit", class: "primary wide"}, t("learners.create")));
  const create = reporting(page, async () => {
    const created = await post("/api/users", {name: name.value.trim(), login: login.value.trim(), cohort: cohort.value.trim()});
    replace(page.messages, notice(t("learners.created", {name: created.user.name}), "ok"));
    showInvite(page, created.user.name, created.invite);
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
    field(t("learners.csv_file"), file, t("learners.csv_hint")),
    progress,
    h("button", {type: "submit", class: "wide"}, t("learners.import_submit")), report);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    progress.hidden = false;
    progress.removeAttribute("value");
    try {
      const result = await api("POST", "/api/users/import", chosen, {contentType: "text/csv"});
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

// An active account can be invited again or deactivated.
function accountButtons(page, person, full) {
  return h("div", {class: "button-row"},
    full.active ? h("button", {type: "button", onclick: reporting(page, async () => {
      showInvite(page, full.name, await post(`/api/users/${person.id}/invite`));
    })}, t("learners.invite_again")) : null,
    full.active ? confirmButton(t("learners.deactivate"), t("learners.deactivate_confirm"), reporting(page, async () => {
      await post(`/api/users/${person.id}/deactivate`);
      page.ctx.toast(t("learners.deactivated", {name: full.name}));
      await load(page);
    }), {class: "danger"}) : null);
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
      accountButtons(page, person, full));
  } catch (error) {
    replace(details, notice(errorMessage(error)));
  }
}

function learnerItem(page, person) {
  const details = h("div", {});
  const box = h("details", {class: "item learner"},
    h("summary", {}, h("span", {class: "item-title"}, person.name), " ",
      h("span", {class: "item-sub mono"}, person.login, person.cohort ? ` · ${person.cohort}` : "", person.active ? "" : ` · ${t("learners.inactive")}`)),
    details);
  box.addEventListener("toggle", () => box.open && openLearner(page, person, details));
  return h("li", {}, box);
}

async function load(page) {
  try {
    const people = await get(`/api/users${query({role: "learner", q: page.search.value.trim()})}`);
    replace(page.list, h("p", {class: "hint"}, t("learners.count", {n: people.length})),
      h("ul", {class: "list"}, people.slice(0, 200).map((person) => learnerItem(page, person))));
  } catch (error) {
    replace(page.list, notice(errorMessage(error)));
  }
}

export async function render(root, ctx) {
  const {trainings, siteName} = await loadContext();
  const page = {ctx, trainings, messages: h("div", {class: "messages"}), shown: h("div", {"aria-live": "polite"}),
    list: h("div", {}), search: h("input", {type: "search", autocomplete: "off"})};
  const search = page.search;
  search.addEventListener("input", () => {
    clearTimeout(search.timer);
    search.timer = setTimeout(() => load(page), 300);
  });
  const forms = [createForm(page), importForm(page)];
  replace(root,
    h("h1", {}, t("learners.title")),
    h("p", {class: "lead"}, siteName ? t("learners.at_site", {site: siteName}) : ""),
    page.messages, page.shown,
    field(t("learners.search"), search),
    page.list,
    forms,
    h("p", {}, h("a", {class: "button wide", href: ctx.href("learners/invites")}, t("desk.invites_title"))),
  );
  await load(page);
}
