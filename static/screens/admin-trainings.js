// Trainings (admin): the list, and a new one. Granting a training to a learner is on the learner's screen.
import {get, post} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {field, h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {validityForm, validityLine} from "/js/training-validity.js";

// Each training with how long it stays valid, changed in place (issue 31).
function trainingList(trainings, messages, reload) {
  return trainings.length
    ? h("ul", {class: "list"}, trainings.map((tr) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, tr.name), tr.description ? h("p", {class: "item-sub"}, tr.description) : null,
      h("details", {class: "validity"}, h("summary", {}, validityLine(tr)), validityForm(tr, messages, reload))))))
    : h("p", {class: "empty"}, t("admin2.trainings.none"));
}

export async function render(root) {
  const messages = messageArea();
  const list = h("div", {});
  const load = async () => replace(list, trainingList(await get("/api/trainings"), messages, () => load()));
  const name = h("input", {required: true, maxlength: "200", autocomplete: "off"});
  const description = h("textarea", {maxlength: "2000", rows: "3"});
  const form = h("form", {class: "card", "aria-labelledby": "h-tr-new"},
    h("h2", {id: "h-tr-new"}, t("admin2.trainings.new")),
    field(t("admin2.trainings.name"), name), field(t("admin2.trainings.description"), description),
    h("button", {type: "submit", class: "primary wide"}, t("admin2.trainings.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await post("/api/trainings", {name: name.value.trim(), description: description.value.trim()});
      name.value = description.value = "";
      await load();
      messages.say(t("admin2.trainings.created", {name: created.name}));
    } catch (error) {
      messages.fail(error);
    }
  });
  await load();
  root.append(backToHub(), h("h1", {}, t("admin2.trainings.title")), h("p", {class: "lead"}, t("admin2.trainings.lead")),
    messages.box, h("section", {class: "card", "aria-labelledby": "h-tr-list"}, h("h2", {id: "h-tr-list"}, t("admin2.trainings.list")), list),
    form);
}
