// How long a training stays valid (admin, issue 31): for ever, days after each grant, until a
// date, or until a number of days without a booking of what it unlocks.
import {api} from "/js/api.js";
import {field, h, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

const VALIDITIES = ["forever", "days", "until", "idle"];

// "Valable 90 jours après chaque validation", under the training's name.
export function validityLine(training) {
  const v = training.validity || "forever";
  if (v === "days") return t("late.line_days", {n: training.valid_days});
  if (v === "until") return t("late.line_until", {date: fmt.date(training.valid_until)});
  if (v === "idle") return t("late.line_idle", {n: training.idle_days});
  return t("late.line_forever");
}

// The training's validity as a small form; onSaved(training) after the server took it.
export function validityForm(training, messages, onSaved) {
  const kind = select(VALIDITIES.map((v) => [v, t(`late.validity_${v}`)]), {value: training.validity || "forever"});
  const days = h("input", {type: "number", min: "1", max: "3660", step: "1", inputmode: "numeric",
    value: String(training.valid_days || training.idle_days || 180)});
  const until = h("input", {type: "date", value: training.valid_until || ""});
  const daysField = field(t("late.valid_days"), days);
  const untilField = field(t("late.valid_until"), until);
  const sync = () => {
    daysField.hidden = !["days", "idle"].includes(kind.value);
    untilField.hidden = kind.value !== "until";
    daysField.querySelector("label").textContent = t(kind.value === "idle" ? "late.idle_days" : "late.valid_days");
  };
  kind.addEventListener("change", sync);
  sync();
  const form = h("form", {class: "validity-form"}, field(t("late.validity"), kind), daysField, untilField,
    h("button", {type: "submit"}, t("late.validity_save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {validity: kind.value};
    if (kind.value === "days") body.valid_days = Number(days.value);
    if (kind.value === "idle") body.idle_days = Number(days.value);
    if (kind.value === "until") body.valid_until = until.value || null;
    try {
      const saved = await api("PUT", `/api/trainings/${training.id}/validity`, body);
      messages.say(t("late.validity_saved", {name: saved.name}));
      onSaved(saved);
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}
