// How the counter's basket is lent: one hand-over (POST /api/handovers, fablab/desk), all or
// nothing, under the site's loan agreement when the learner must sign it.
import {ApiError, post} from "/js/api.js";

// Refusals a return time chosen at the desk answers: the learner's quota (a group's three laptops:
// each item alone passed it, together they do not) and a walk-up while the site is closed.
export const DESK_DUE_ANSWERS = new Set(["quota_exceeded", "due_at_required"]);

// Each dry run takes the learner's lock, so a fast run of scans queues on the server; a few at a
// time, and "busy, try again" (503 try_again, a lock waited for too long) is tried again.
const AT_ONCE = 3;
const RETRIES = 2;
let running = 0;
const queued = [];

async function ask(body) {
  if (running >= AT_ONCE) await new Promise((resolve) => queued.push(resolve));
  running += 1;
  try {
    for (let tries = RETRIES; ; tries -= 1) {
      try {
        return await post("/api/handovers", body);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== "try_again" || !tries) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  } finally {
    running -= 1;
    if (queued.length) queued.shift()();
  }
}

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
  const dryRun = (extra) => ask(handoverBody(learner, [line], {dry_run: true, ...extra}));
  try {
    const answer = await dryRun({});
    return {plan: answer.items[0], agreement: answer.agreement || null, deskDue: null};
  } catch (error) {
    const fallback = due || (error.body && error.body.suggested_due_at);
    if (!(error instanceof ApiError) || !DESK_DUE_ANSWERS.has(error.code) || !fallback) throw error;
    const answer = await dryRun({due_at: fallback});
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
    return await ask(body);
  } catch (error) {
    const due = deskDue(lines, error);
    if (body.due_at || !(error instanceof ApiError) || !DESK_DUE_ANSWERS.has(error.code) || !due) throw error;
    return ask({...body, due_at: due});
  }
}
