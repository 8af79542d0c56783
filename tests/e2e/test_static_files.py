"""Checks on the web app's files that need no browser: dictionaries, offline shell, CSP-safe markup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.support.wording import COGNATES, app_dictionaries, words

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
SOURCES = sorted([*(STATIC / "js").glob("*.js"), *(STATIC / "screens").glob("*.js")])


@pytest.fixture(scope="module")
def dictionaries() -> dict[str, dict[str, str]]:
    found = app_dictionaries()
    if found is None:
        pytest.skip("node is not installed")
    return found


def test_french_and_english_have_the_same_strings(dictionaries):
    assert set(dictionaries["fr"]) == set(dictionaries["en"])
    assert all(text.strip() for text in dictionaries["fr"].values())


def test_no_english_word_in_the_french_dictionary(dictionaries):
    """A French string may share a word with English only if French readers write it too
    (wording.COGNATES): catches an English string copied into fr.js, shown or not."""
    english = set().union(*(words(text) for text in dictionaries["en"].values()))
    found = {key: sorted((words(text) & english) - COGNATES) for key, text in dictionaries["fr"].items()}
    assert {key: shared for key, shared in found.items() if shared} == {}


def test_every_string_the_code_asks_for_is_in_the_dictionary(dictionaries):
    used = set()
    for source in SOURCES:
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-z_0-9.]+)"', source.read_text()))
    assert used, "no t(...) call found"
    assert sorted(used - set(dictionaries["fr"])) == []


def test_the_service_worker_caches_every_file_of_the_app():
    shell = set(re.findall(r'"(/[^"]*)"', (STATIC / "sw.js").read_text().split("const OWN_DATA")[0]))
    files = {"/" + str(path.relative_to(STATIC)) for path in STATIC.rglob("*.js") if path.name != "sw.js"}
    assert sorted(files - shell) == []
    assert all((STATIC / name.lstrip("/")).exists() for name in shell if name != "/")


def test_no_markup_from_strings_and_nothing_inline_that_the_csp_blocks():
    for source in [*SOURCES, *(STATIC / "i18n").glob("*.js"), STATIC / "sw.js"]:
        text = source.read_text()
        assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text, source
        assert "document.write" not in text and "eval(" not in text, source
    html = (STATIC / "index.html").read_text()
    assert "style=" not in html and "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), "inline script"


def test_icons_and_manifest():
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["lang"] == "fr" and manifest["display"] == "standalone"
    from PIL import Image

    for icon in manifest["icons"]:
        with Image.open(STATIC / icon["src"].lstrip("/")) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def imports_of(module: str) -> set[str]:
    """The modules `module` (a path under static/, like "/js/app.js") imports statically, and theirs."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        text = (STATIC / current.lstrip("/")).read_text()
        todo += re.findall(r'^import\s[^;]*?from\s+"(/[^"]+\.js)"', text, re.M)
        todo += re.findall(r'^import\s+"(/[^"]+\.js)"', text, re.M)
    return seen


def test_the_first_screen_modules_are_all_preloaded():
    """Without a preload each module is found only once the one importing it has arrived: five
    round trips before the login form on a phone with 400 ms of latency (issue 15)."""
    html = (STATIC / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    first_screen = imports_of("/js/app.js") | imports_of("/screens/login.js")
    assert "/i18n/fr.js" in first_screen and "/screens/login.js" in first_screen
    assert sorted(first_screen - preloaded) == []
    assert sorted(preloaded - first_screen) == [], "a preload the first screen does not need costs bytes"


def run_app_modules(tmp_path: Path, script: str):
    """Run `script` (an ES module that may import "/js/...") in node on a copy of static/ whose
    absolute imports point into the copy; returns what the script printed, as JSON."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    root = tmp_path / "static"
    shutil.copytree(STATIC, root)
    for source in root.rglob("*.js"):
        source.write_text(source.read_text().replace('from "/', f'from "file://{root}/'))
    script = script.replace('from "/', f'from "file://{root}/')
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True,
                            check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    return json.loads(result.stdout)


def test_dates_read_as_people_write_them(tmp_path):
    """format.js is the one place dates are written: "25 déc. 2031", never ISO text or seconds."""
    year = date.today().year
    shown = run_app_modules(tmp_path, f"""
        import * as fmt from "/js/format.js";
        console.log(JSON.stringify({{
          date: fmt.date("2031-12-25"),
          dateOfInstant: fmt.date("2031-12-25T23:30:00Z"),
          range: fmt.dateRange("2031-12-24", "2032-01-02"),
          oneDayRange: fmt.dateRange("2031-05-01", "2031-05-01"),
          thisYear: fmt.dayLabel("{year}-06-03"),
          otherYear: fmt.dayLabel("2031-06-03"),
          span: fmt.span("{year}-06-03T07:00:00Z", "{year}-06-03T16:00:00Z"),
          moment: fmt.moment("{year}-06-03T16:00:00Z"),
          site: fmt.siteName("vlg", [{{slug: "vlg", name: "Villeneuve-la-Garenne"}}]),
        }}));
    """)
    assert shown["date"] == "25 déc. 2031"
    assert shown["dateOfInstant"] == "26 déc. 2031"  # 00:30 in Paris
    assert shown["range"] == "24 déc. 2031 – 2 janv. 2032"
    assert shown["oneDayRange"] == "1 mai 2031"
    assert re.fullmatch(r"[a-z]{3}\. 3 juin", shown["thisYear"])
    assert re.fullmatch(r"mar\. 3 juin 2031", shown["otherYear"])
    assert re.fullmatch(r"[a-z]{3}\. 3 juin · 09:00 – 18:00", shown["span"])
    assert re.fullmatch(r"[a-z]{3}\. 3 juin 18:00", shown["moment"])
    assert shown["site"] == "Villeneuve-la-Garenne"


def test_an_abbreviated_name_ends_a_sentence_with_one_full_stop(tmp_path):
    shown = run_app_modules(tmp_path, """
        import {t} from "/js/i18n.js";
        console.log(JSON.stringify([
          t("learners.deactivated", {name: "Sofia M."}),
          t("tag.status_changed", {status: "Prêté à Sofia M."}),
          t("tag.status_changed", {status: "En maintenance"}),
          t("book.waiting", {n: 2}),
        ]));
    """)
    assert shown == ["Sofia M. est désactivé·e.", "État : Prêté à Sofia M.", "État : En maintenance.",
                     "Vous êtes sur la liste d’attente, position 2. Si une place se libère, elle sera réservée pour vous."]


def test_plural_and_elision_follow_french_grammar(tmp_path):
    """grammar.js is the one place for number agreement and elision (issue 28): "1 inattendu",
    "dont 1 échouée", "0 erreur" (French puts 0 and 1 in the singular, English only 1),
    "le prêt d’Inès" beside "le prêt de Sofia"."""
    shown = run_app_modules(tmp_path, """
        import {t} from "/js/i18n.js";
        import {applyGrammar, elide, plural} from "/js/grammar.js";
        const fr = [
          t("desk.audit_counts", {seen: 2, missing: 1, unexpected: 1}),
          t("desk.audit_counts", {seen: 0, missing: 15, unexpected: 3}),
          t("consumables.report_prints", {count: 4, failed: 1, share: "25 %"}),
          t("learners.imported", {created: 2, errors: 0}),
          t("parts.lent", {name: "Inès B."}),
          t("parts.lent", {name: "Sofia M."}),
          t("parts.lent", {name: "Hugo"}),
          elide("de", "Élodie"), elide("le", "atelier"), elide("la", "salle"),
          elide("de", "Yanis N."), elide("de", "Yves"), t("desk.pass_of", {name: "Aïcha S.", login: "learner5"}),
          plural(1.5, "heure", "heures"), plural(-1, "heure", "heures"),
        ];
        const en = [applyGrammar("{created} {created|account|accounts} created, {errors} {errors|error|errors}.",
                                 {created: 1, errors: 0}, "en"), plural(0, "error", "errors", "en")];
        console.log(JSON.stringify({fr, en}));
    """)
    assert shown["fr"] == ["2 vus · 1 manquant · 1 inattendu", "0 vu · 15 manquants · 3 inattendus",
                           "Impressions : 4, dont 1 échouée (25 %).", "2 comptes créés, 0 erreur.",
                           "Avec le prêt d’Inès B.", "Avec le prêt de Sofia M.", "Avec le prêt d’Hugo",
                           "d’Élodie", "l’atelier", "la salle", "de Yanis N.", "d’Yves", "Pass d’Aïcha S. (learner5).",
                           "heure", "heure"]
    assert shown["en"] == ["{created} account created, {errors} errors.", "errors"]


def test_a_missing_part_takes_its_article(tmp_path):
    """"Retour incomplet : il manque le chargeur" (issue 28): the article agrees with the part's
    name, elided before a vowel, plural for a plural name; a name whose gender no rule knows is
    listed as typed rather than with a guessed article."""
    shown = run_app_modules(tmp_path, """
        import {listWithArticles, withArticle} from "/js/grammar.js";
        import {returnMessage} from "/js/parts.js";
        console.log(JSON.stringify({
          one: ["Chargeur", "Souris", "Adaptateur HDMI", "Écouteurs", "HDMI", "Housse (grise)", "Alimentation"].map(withArticle),
          lists: [listWithArticles(["Chargeur"]), listWithArticles(["Chargeur", "souris"]),
                  listWithArticles(["Chargeur", "Souris", "Étui"]), listWithArticles(["Chargeur", "Gizmo"])],
          toasts: [returnMessage({missing_parts: [{name: "Chargeur"}]}),
                   returnMessage({missing_parts: [{name: "Chargeur"}, {name: "Gizmo"}]}), returnMessage({})],
        }));
    """)
    assert shown["one"] == ["le chargeur", "la souris", "l’adaptateur HDMI", "les écouteurs", None, "la housse (grise)",
                            "l’alimentation"]
    assert shown["lists"] == ["le chargeur", "le chargeur et la souris", "le chargeur, la souris et l’étui", None]
    assert shown["toasts"] == ["Retour incomplet : il manque le chargeur.",
                               "Retour incomplet, pièces manquantes : Chargeur, Gizmo.", None]


def test_a_printer_return_asks_for_the_consumables_that_fit_it(tmp_path):
    """A PLA printer's return lists the PLA spools, not the resin (issue 28); a printer whose
    materials match none (or are not written) still lists every consumable."""
    shown = run_app_modules(tmp_path, """
        import {fitting} from "/js/stock.js";
        const stock = [{name: "PLA noir"}, {name: "PLA blanc"}, {name: "Résine grise"}, {name: "PETG (transparent)"}];
        const names = (list) => list.map((c) => c.name);
        console.log(JSON.stringify([names(fitting(stock, ["PLA"])), names(fitting(stock, ["pla", "PETG"])),
          names(fitting(stock, ["Résine"])), names(fitting(stock, ["ABS"])).length, names(fitting(stock, [])).length]));
    """)
    assert shown == [["PLA noir", "PLA blanc"], ["PLA noir", "PLA blanc", "PETG (transparent)"], ["Résine grise"], 4, 4]
