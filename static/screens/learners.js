// Learners of my site: find, create (with the invite QR), import a CSV, invite again, deactivate, trainings.
import {ApiError, api, errorMessage, get, post, query, waitText} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {inviteCard, keepImportedSheet} from "/js/invite-card.js";
import {currentUser} from "/js/session.js";

export async function render(root, ctx) {
  const me = currentUser();
  const messages = h("div", {class: "messages"});
  const shown = h("div", {"aria-live": "polite"});
  const list = h("div", {});
  let trainings = [];
  let siteName = "";
  try {
    const [found, sites] = await Promise.all([get("/api/trainings"), get("/api/sites")]);
    trainings = found;
    siteName = (sites.find((s) => s.slug === me.site) || {}).name || "";
  } catch { /* the trainings panel stays empty */ }

  function showInvite(name, invite) {
    replace(shown, inviteCard(name, invite));
    shown.scrollIntoView({block: "start"});
  }

  // Create one learner.
  const name = h("input", {autocomplete: "off", required: true});
  const login = h("input", {autocomplete: "off", autocapitalize: "none", spellcheck: "false", required: true});
  const cohort = h("input", {autocomplete: "off"});
  const createForm = h("form", {class: "card", "aria-labelledby": "h-new"},
    h("h2", {id: "h-new"}, t("learners.new")),
    field(t("learners.name"), name), field(t("learners.login"), login, t("learners.login_hint")), field(t("learners.cohort"), cohort),
    h("button", {type: "submit", class: "primary wide"}, t("learners.create")));
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await post("/api/users", {name: name.value.trim(), login: login.value.trim(), cohort: cohort.value.trim()});
      replace(messages, notice(t("learners.created", {name: created.user.name}), "ok"));
      showInvite(created.user.name, created.invite);
      name.value = login.value = "";
      await load();
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });

  // Import a CSV (name, login, site, cohort): each row on its own, a report per line.
  const file = h("input", {type: "file", accept: ".csv,text/csv"});
  const progress = h("progress", {max: "100", hidden: true, "aria-label": t("learners.import_progress")});
  const report = h("div", {"aria-live": "polite"});
  const importForm = h("form", {class: "card", "aria-labelledby": "h-import"},
    h("h2", {id: "h-import"}, t("learners.import")),
    field(t("learners.csv_file"), file, t("learners.csv_hint")),
    progress,
    h("button", {type: "submit", class: "wide"}, t("learners.import_submit")), report);
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    progress.hidden = false;
    progress.removeAttribute("value");
    try {
      const result = await api("POST", "/api/users/import", chosen, {contentType: "text/csv"});
      progress.value = 100;
      const created = result.rows.filter((r) => r.status === "created" && r.invite);
      const cohorts = [...new Set(created.map((r) => r.cohort).filter(Boolean))];
      replace(report,
        notice(t("learners.imported", {created: result.created, errors: result.errors}), result.errors ? "error" : "ok"),
        created.length ? h("button", {type: "button", class: "primary wide", onclick: () => {
          keepImportedSheet(cohorts.length === 1 ? cohorts[0] : "", created.map((r) => ({
            user: {id: r.user_id, name: r.name || r.login, login: r.login}, invite: r.invite})));
          ctx.go("learners/invites");
        }}, t("desk.invites_print")) : null,
        h("ul", {class: "list"}, result.rows.filter((r) => r.status === "error").map((r) =>
          h("li", {class: "item"}, t("learners.import_line", {line: r.line, login: r.login}), " — ", errorMessage(new ApiError(422, r.code, r.detail))))));
      await load();
    } catch (error) {
      progress.hidden = true;
      replace(report, notice(errorMessage(error)));
    }
  });

  const search = h("input", {type: "search", autocomplete: "off"});
  search.addEventListener("input", () => {
    clearTimeout(search.timer);
    search.timer = setTimeout(load, 300);
  });

  function learnerItem(person) {
    const details = h("div", {});
    const open = async () => {
      try {
        const full = await get(`/api/users/${person.id}`);
        const held = new Set(full.certifications.filter((c) => !c.expired).map((c) => c.training_id));
        const grantable = trainings.filter((tr) => !held.has(tr.id));
        const trainingSelect = select(grantable.map((tr) => [String(tr.id), tr.name]));
        replace(details,
          h("p", {class: "item-sub"}, full.activated ? t("learners.activated") : t("learners.not_activated")),
          full.login_wait_seconds > 0 ? h("div", {class: "security-locked"},
            h("p", {}, t("security.locked", {wait: waitText(full.login_wait_seconds)})),
            h("button", {type: "button", onclick: async () => {
              try {
                await post(`/api/users/${person.id}/unlock`);
                ctx.toast(t("security.unlocked", {name: full.name}));
                open();
              } catch (error) {
                replace(messages, notice(errorMessage(error)));
              }
            }}, t("security.unlock"))) : null,
          h("h3", {}, t("learners.trainings")),
          full.certifications.length ? h("ul", {}, full.certifications.map((c) => h("li", {}, c.training, c.expired ? ` (${t("learners.expired")})` : "", " ",
            confirmButton(t("learners.revoke"), t("learners.revoke_confirm"), async () => {
              await api("DELETE", `/api/users/${person.id}/certifications/${c.training_id}`);
              open();
            }, {class: "link"})))) : h("p", {class: "empty"}, t("learners.no_training")),
          grantable.length ? h("div", {class: "inline-form"}, field(t("learners.grant_label"), trainingSelect),
            h("button", {type: "button", onclick: async () => {
              try {
                await post(`/api/users/${person.id}/certifications`, {training_id: Number(trainingSelect.value)});
                open();
              } catch (error) {
                replace(messages, notice(errorMessage(error)));
              }
            }}, t("learners.grant"))) : null,
          h("div", {class: "button-row"},
            full.active ? h("button", {type: "button", onclick: async () => {
              try {
                showInvite(full.name, await post(`/api/users/${person.id}/invite`));
              } catch (error) {
                replace(messages, notice(errorMessage(error)));
              }
            }}, t("learners.invite_again")) : null,
            full.active ? confirmButton(t("learners.deactivate"), t("learners.deactivate_confirm"), async () => {
              try {
                await post(`/api/users/${person.id}/deactivate`);
                ctx.toast(t("learners.deactivated", {name: full.name}));
                await load();
              } catch (error) {
                replace(messages, notice(errorMessage(error)));
              }
            }, {class: "danger"}) : null));
      } catch (error) {
        replace(details, notice(errorMessage(error)));
      }
    };
    const box = h("details", {class: "item learner"},
      h("summary", {}, h("span", {class: "item-title"}, person.name), " ",
        h("span", {class: "item-sub mono"}, person.login, person.cohort ? ` · ${person.cohort}` : "", person.active ? "" : ` · ${t("learners.inactive")}`)),
      details);
    box.addEventListener("toggle", () => box.open && open());
    return h("li", {}, box);
  }

  async function load() {
    try {
      const people = await get(`/api/users${query({role: "learner", q: search.value.trim()})}`);
      replace(list, h("p", {class: "hint"}, t("learners.count", {n: people.length})),
        h("ul", {class: "list"}, people.slice(0, 200).map(learnerItem)));
    } catch (error) {
      replace(list, notice(errorMessage(error)));
    }
  }

  replace(root,
    h("h1", {}, t("learners.title")),
    h("p", {class: "lead"}, siteName ? t("learners.at_site", {site: siteName}) : ""),
    messages, shown,
    field(t("learners.search"), search),
    list,
    createForm,
    importForm,
    h("p", {}, h("a", {class: "button wide", href: ctx.href("learners/invites")}, t("desk.invites_title"))),
  );
  await load();
}
