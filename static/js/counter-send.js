// How the counter's basket is lent: each line's check-out in turn, with the body its dry run
// answered (the same holder and return time), until the desk's one-request hand-over is here.
import {ApiError, errorMessage, post} from "/js/api.js";
import {t} from "/js/i18n.js";

// Each dry run was asked alone: the basket's second laptop meets the learner's quota only once the
// first is lent. The desk confirmed the time it showed, so that one is given (the desk's call).
async function lendLine(line) {
  try {
    return await post("/api/checkouts", line.body);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "quota_exceeded" || line.body.due_at) throw error;
    line.body.due_at = line.plan.due_at;
    return post("/api/checkouts", line.body);
  }
}

// lendBasket(learner, lines) → {count, name, due_at, timezone}; throws an Error whose message says
// which items were lent and which one was refused (the lines lent leave the basket).
export async function lendBasket(learner, lines) {
  let lent = 0;
  let last = null;
  for (const line of lines.slice()) {
    try {
      last = await lendLine(line);
    } catch (error) {
      const reason = error instanceof ApiError ? errorMessage(error) : t("errors.unexpected");
      lines.splice(0, lent);
      throw new Error(lent
        ? t("counter.partly_lent", {n: lent, item: line.item.name, reason})
        : t("counter.refused", {item: line.item.name, reason}));
    }
    lent += 1;
  }
  return {count: lent, name: learner.person.name, due_at: last.due_at, timezone: lines[0].item.timezone};
}
