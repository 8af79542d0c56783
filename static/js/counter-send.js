// How the counter's basket is lent: one hand-over (POST /api/handovers, fablab/desk), all or
// nothing, under the site's loan agreement when the learner must sign it.
import {ApiError, post} from "/js/api.js";

// Refusals a return time chosen at the desk answers: the learner's quota (a group's three laptops:
// each item alone passed it, together they do not) and a walk-up while the site is closed.
export const DESK_DUE_ANSWERS = new Set(["quota_exceeded", "due_at_required"]);

function handoverBody(learner, lines, extra) {
  return {pass: learner.token, items: lines.map((line) => ({tag: line.tag})), ...extra};
}

// The basket's one return time when the desk must give one: a line's own (it met the quota alone),
// else the first walk-up's, else the one the server suggests.
function deskDue(lines, error) {
  const fixed = lines.find((line) => line.deskDue);
  if (fixed) return fixed.deskDue;
  const walkUp = lines.find((line) => line.plan && line.plan.walk_up);
  return walkUp ? walkUp.plan.due_at : (error && error.body && error.body.suggested_due_at) || null;
}

// One line's dry run: what lending it alone would do ({due_at, walk_up, parts, …}) and the agreement
// the learner would sign (null: none). A quota or a closed site is asked again with `due`.
export async function planItem(learner, line, due) {
  const ask = (extra) => post("/api/handovers", handoverBody(learner, [line], {dry_run: true, ...extra}));
  try {
    const answer = await ask({});
    return {plan: answer.items[0], agreement: answer.agreement || null, deskDue: null};
  } catch (error) {
    const fallback = due || (error.body && error.body.suggested_due_at);
    if (!(error instanceof ApiError) || !DESK_DUE_ANSWERS.has(error.code) || !fallback) throw error;
    const answer = await ask({due_at: fallback});
    return {plan: answer.items[0], agreement: answer.agreement || null, deskDue: fallback};
  }
}

// Each line's dry run was asked alone: two walk-ups of one kind (a group's laptops) may pass one by
// one and meet the learner's quota together, so the basket then goes with the time it showed.
function sharesAKind(lines) {
  const kinds = lines.filter((line) => line.plan && line.plan.walk_up).map((line) => line.item.kind);
  return new Set(kinds).size < kinds.length;
}

// lendBasket(learner, lines, extra) → the hand-over ({holder, items, due_at, receipt, …}); `extra`
// carries the signature and the agreement's version. Throws the ApiError (its body names the item).
export async function lendBasket(learner, lines, extra = {}) {
  const given = extra.due_at || (lines.some((line) => line.deskDue) || sharesAKind(lines) ? deskDue(lines) : null);
  const body = handoverBody(learner, lines, given ? {...extra, due_at: given} : extra);
  try {
    return await post("/api/handovers", body);
  } catch (error) {
    const due = deskDue(lines, error);
    if (body.due_at || !(error instanceof ApiError) || !DESK_DUE_ANSWERS.has(error.code) || !due) throw error;
    return post("/api/handovers", {...body, due_at: due});
  }
}
