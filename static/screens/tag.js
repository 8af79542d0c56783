// The page a label's QR opens (/t/{TAG}): what the item is, who holds it, and what the viewer may do.
import {ApiError, errorMessage, get, patch, post} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {learnerPicker} from "/js/people.js";
import {scanner} from "/js/scanner.js";

function facts(item) {
  const rows = [
    [t("tag.kind"), fmt.kindLabel(item.kind)],
    [t("tag.site"), item.site_name || item.site],
    [t("tag.status"), h("span", {class: `badge st-${item.status}`}, fmt.statusLabel(item.status))],
  ];
  if (item.holder) rows.push([t("tag.holder"), `${item.holder.name} (${item.holder.login})`]);
  if (item.current_booking) {
    const late = item.current_booking.overdue ? ` — ${t("tag.overdue")}` : "";
    rows.push([t("tag.due"), fmt.span(item.current_booking.starts_at, item.current_booking.ends_at) + late]);
  }
  if (item.next_booking && !item.current_booking) {
    const who = item.next_booking.user ? ` — ${item.next_booking.user.name}` : "";
    rows.push([t("tag.next_booking"), fmt.span(item.next_booking.starts_at, item.next_booking.ends_at) + who]);
  }
  return h("dl", {class: "facts"}, rows.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
}

function checkoutPanel(item, done, messages) {
  const panel = h("section", {class: "card", "aria-labelledby": "h-checkout"}, h("h2", {id: "h-checkout"}, t("tag.check_out")));
  const due = h("input", {type: "datetime-local"});
  const dueField = h("details", {class: "more"}, h("summary", {}, t("tag.due_optional")), field(t("tag.due_at"), due, t("tag.due_hint")));

  async function lend(holder) {
    const body = {tag: item.tag, ...holder};
    if (due.value) body.due_at = new Date(due.value).toISOString();
    try {
      const result = await post("/api/checkouts", body);
      sessionStorage.removeItem("fablab.pass");
      const who = result.holder ? result.holder.name : "";
      done(t("tag.checked_out", {name: who, when: result.due_at ? fmt.span(new Date().toISOString(), result.due_at) : ""}));
    } catch (error) {
      if (error instanceof ApiError && error.code === "due_at_required") dueField.open = true;
      replace(messages, notice(errorMessage(error)));
    }
  }

  const pending = sessionStorage.getItem("fablab.pass");
  if (pending) {
    panel.append(h("p", {}, t("tag.pass_ready")),
      h("button", {type: "button", class: "primary wide", onclick: () => lend({pass: pending})}, t("tag.lend_to_pass")));
  }
  panel.append(
    h("h3", {}, t("tag.by_pass")),
    scanner({label: t("tag.pass_label"), onResult: (text) => lend({pass: text})}),
    h("h3", {}, t("tag.by_name")),
    learnerPicker({site: item.site, onPick: (person) => lend({user: person.id})}),
    dueField,
  );
  return panel;
}

function checkinPanel(item, done, messages) {
  const condition = select([["ok", t("condition.ok")], ["damaged", t("condition.damaged")], ["incomplete", t("condition.incomplete")]]);
  const note = h("textarea", {rows: "2", maxlength: "2000"});
  const form = h("form", {class: "card", "aria-labelledby": "h-checkin"},
    h("h2", {id: "h-checkin"}, t("tag.check_in")),
    field(t("tag.condition"), condition), field(t("tag.note"), note),
    h("button", {type: "submit", class: "primary wide"}, t("tag.check_in_submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await post("/api/checkins", {tag: item.tag, condition: condition.value, note: note.value});
      done(result.late ? t("tag.checked_in_late") : t("tag.checked_in"));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

const STATUS_ACTIONS = {
  maintenance_start: ["maintenance", "tag.maintenance_start"],
  maintenance_end: ["available", "tag.maintenance_end"],
  lost: ["lost", "tag.lost"],
  found: ["available", "tag.found"],
};

function statusPanel(item, actions, done, messages) {
  const wanted = actions.filter((a) => STATUS_ACTIONS[a]);
  if (!wanted.length) return null;
  const note = h("input", {maxlength: "2000"});
  return h("section", {class: "card", "aria-labelledby": "h-status"},
    h("h2", {id: "h-status"}, t("tag.other_actions")),
    field(t("tag.note"), note),
    h("div", {class: "button-row"}, wanted.map((action) => {
      const [status, key] = STATUS_ACTIONS[action];
      return confirmButton(t(key), t("tag.confirm", {action: t(key)}), async () => {
        try {
          await patch(`/api/resources/${encodeURIComponent(item.tag)}`, {status, note: note.value});
          done(t("tag.status_changed", {status: fmt.statusLabel(status)}));
        } catch (error) {
          replace(messages, notice(errorMessage(error)));
        }
      });
    })));
}

function learnerPanel(item, ctx, messages) {
  const parts = [];
  const mine = item.my_booking;
  if (mine) {
    parts.push(h("p", {}, t("tag.your_booking", {when: fmt.span(mine.starts_at, mine.ends_at)}), " ",
      h("span", {class: `badge st-${mine.status}`}, t(`booking_status.${mine.status}`))));
    if (item.actions.includes("cancel_booking")) {
      parts.push(confirmButton(t("bookings.cancel"), t("bookings.confirm_cancel"), async () => {
        try {
          await post(`/api/bookings/${mine.id}/cancel`);
          ctx.toast(t("bookings.cancelled"));
          ctx.render();
        } catch (error) {
          replace(messages, notice(errorMessage(error)));
        }
      }, {class: "danger"}));
    }
  } else if (item.actions.includes("book")) {
    parts.push(h("p", {}, item.free_now ? t("tag.free_now") : t("tag.not_free_now")),
      h("a", {class: "button primary wide", href: ctx.href(`book?site=${encodeURIComponent(item.site)}&kind=${item.kind}&tag=${encodeURIComponent(item.tag)}`)}, t("tag.book")));
  } else {
    parts.push(h("p", {}, t("tag.not_bookable")));
  }
  return h("section", {class: "card"}, parts);
}

export async function render(root, ctx) {
  const tag = ctx.params.tag.toUpperCase();
  let item;
  try {
    item = await get(`/api/tags/${encodeURIComponent(tag)}`);
  } catch (error) {
    replace(root, h("h1", {}, tag), notice(errorMessage(error)));
    return;
  }
  const messages = h("div", {class: "messages"});
  const done = (text) => {
    ctx.toast(text);
    ctx.render();
  };
  const body = [];
  if (!item.role) {
    body.push(h("section", {class: "card"},
      h("p", {}, t("tag.anonymous")),
      h("a", {class: "button primary wide", href: ctx.href(`login?next=${encodeURIComponent(`/t/${item.tag}`)}`)}, t("tag.log_in")),
      item.contact ? h("p", {class: "hint"}, t("tag.found_it"), " ", item.contact) : null));
  } else if (item.role === "learner") {
    body.push(learnerPanel(item, ctx, messages));
  } else {
    if (item.actions.includes("check_out")) body.push(checkoutPanel(item, done, messages));
    if (item.actions.includes("check_in")) body.push(checkinPanel(item, done, messages));
    body.push(statusPanel(item, item.actions, done, messages));
    body.push(h("p", {}, h("a", {href: ctx.href("scan")}, t("tag.scan_another"))));
  }
  replace(root,
    h("p", {class: "eyebrow mono"}, item.tag),
    h("h1", {}, item.name),
    facts(item),
    messages,
    body,
  );
}
