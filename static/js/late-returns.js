// Late returns and trainings that expire (issue 31): the learner's small blocks (suspension, my
// trainings) and the staff's part of a learner's record (the suspension, lifted with a reason).
import {errorMessage, get, post} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

function suspensionText(key, s) {
  return t(key, {strikes: s.strikes, days: s.window_days, site: s.site_name, until: fmt.moment(s.ends_at)});
}

// The learner's active suspension: why and until when (nothing when there is none).
function suspendedBlock(status) {
  const active = status.suspensions.filter((s) => s.active);
  if (!active.length) return null;
  return h("section", {class: "notice error late-suspended", role: "status", "aria-labelledby": "h-late-suspended"},
    h("h2", {id: "h-late-suspended"}, t("late.suspended_title")),
    active.map((s) => h("p", {}, suspensionText("late.suspended_text", s))),
    h("p", {}, t("late.suspended_help")));
}

function trainingLine(c) {
  let when = t("late.training_forever");
  if (c.expired) when = t("late.training_expired", {date: fmt.date(c.ends_at)});
  else if (c.ends_at) when = t(c.validity === "idle" ? "late.training_idle" : "late.training_until", {date: fmt.date(c.ends_at)});
  return h("li", {class: c.expired ? "training expired" : "training"}, h("strong", {}, c.training), " — ", when,
    c.ends_soon ? h("span", {class: "item-sub"}, ` (${t("late.training_soon")})`) : null);
}

// My trainings and when each ends (nothing when I hold none).
function trainingsBlock(trainings) {
  if (!trainings.length) return null;
  return h("section", {class: "card my-trainings", "aria-labelledby": "h-my-trainings"},
    h("h2", {id: "h-my-trainings"}, t("late.trainings_title")), h("ul", {}, trainings.map(trainingLine)));
}

// Filled after the home screen shows; offline or refused, nothing is shown.
export async function fillLateBlocks(suspensionBox, trainingsBox) {
  try {
    const [status, trainings] = await Promise.all([get("/api/me/late-returns"), get("/api/me/trainings")]);
    replace(suspensionBox, suspendedBlock(status));
    replace(trainingsBox, trainingsBlock(trainings));
  } catch {
    // the tiles are what matters
  }
}

function pastLine(s) {
  return h("li", {}, t("late.past_line", {from: fmt.date(s.starts_at), until: fmt.date(s.ends_at)}),
    s.lifted_at ? h("div", {class: "item-sub"}, t("late.lifted_line", {date: fmt.moment(s.lifted_at),
      who: s.lifted_by || "—", reason: s.lift_reason || ""})) : null);
}

// Staff: lift the learner's suspension, with a reason that is kept.
function liftForm(personId, messages, reopen) {
  const reason = h("textarea", {rows: "2", maxlength: "2000", required: true});
  const form = h("form", {class: "lift-form"}, field(t("late.lift_reason"), reason),
    h("button", {type: "submit", class: "primary"}, t("late.lift")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/api/users/${personId}/suspension/lift`, {reason: reason.value.trim()});
      await reopen();
      replace(messages, notice(t("late.lifted"), "ok"));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

// The staff's part of a learner's record: the suspension now, late returns, past suspensions.
export async function lateRecordPart(personId) {
  const box = h("div", {class: "late-record"});
  const messages = h("div", {"aria-live": "polite"});
  const show = async () => {
    const status = await get(`/api/users/${personId}/late-returns`);
    const active = status.suspensions.filter((s) => s.active);
    const past = status.suspensions.filter((s) => !s.active);
    replace(box, h("h3", {}, t("late.staff_title")), messages,
      active.length ? [active.map((s) => h("p", {class: "notice error"}, suspensionText("late.staff_suspended", s))),
        liftForm(personId, messages, show)] : h("p", {class: "empty"}, t("late.staff_none")),
      status.strikes.length ? h("p", {class: "hint"}, t("late.staff_strikes", {n: status.strikes.length})) : null,
      past.length ? h("ul", {class: "list late-past"}, past.map(pastLine)) : null);
  };
  try {
    await show();
  } catch {
    return null; // the rest of the record stays usable
  }
  return box;
}
