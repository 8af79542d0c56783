// The grammar the dictionaries' strings need, in one place (issue 28): a noun or a participle that
// agrees with its number ("1 inattendu", "2 inattendus", "dont 1 échouée") and the elision of
// "de", "le", "la", "que" before a vowel or a mute h ("le prêt d’Inès", "le prêt de Sofia").
// i18n.t applies them to two forms a dictionary string may hold:
//   {n|vu|vus}     the singular or the plural, by the value of the parameter n
//   {de name}      "de" (or "le", "la", "que", "je") followed by the parameter, elided if it must be

// French puts 0 and 1 in the singular ("0 erreur", "1,5 heure"); English only 1.
export function isSingular(n, lang = "fr") {
  const value = Math.abs(Number(n));
  return lang === "fr" ? value < 2 : value === 1;
}

export function plural(n, singular, pluralForm, lang = "fr") {
  return isSingular(n, lang) ? singular : pluralForm;
}

// A vowel, accented or not, or an h: names with an h ("Hélène", "Hugo") take the elision, and
// the words that do not (h aspiré: "le héron") are not what the app puts after "de".
const ELIDES_BEFORE = /^[aeiouyhàâäéèêëîïôöùûüœæ]/i;
const ELIDABLE = new Set(["de", "le", "la", "que", "je", "ne", "me", "te", "se"]);

// elide("de", "Inès") → "d’Inès"; elide("de", "Sofia") → "de Sofia".
// A y before a vowel is a consonant: "de Yanis", "de Yasmine"; before a consonant it is a vowel: "d’Yves".
const CONSONANT_Y = /^y[aeiouyàâäéèêëîïôöùûü]/i;

export function elide(word, next) {
  const text = String(next ?? "");
  const head = text.trim();
  if (!ELIDABLE.has(word.toLowerCase()) || !ELIDES_BEFORE.test(head) || CONSONANT_Y.test(head)) return `${word} ${text}`;
  return `${word.slice(0, -1)}’${text.trim()}`;
}

const PLURAL_FORM = /\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g;
const ELISION_FORM = /\{(de|le|la|que|je|ne|me|te|se) (\w+)\}/gi;

// Applies both forms of a dictionary string; a form whose parameter is missing is left as it is.
export function applyGrammar(text, params, lang = "fr") {
  return text
    .replace(PLURAL_FORM, (whole, name, one, many) => (name in params ? plural(params[name], one, many, lang) : whole))
    .replace(ELISION_FORM, (whole, word, name) => (name in params ? elide(word, params[name]) : whole));
}

// The definite article before the name of a part ("il manque le chargeur", "la souris",
// "l’adaptateur", "les écouteurs"). A part's name is typed by staff, so its gender comes from the
// words fablabs lend (below) and from endings that never mislead (-eur, -age, -ment: masculine;
// -tion, -sion, -ette, -elle, -euse: feminine); a name the rules cannot place gets no article (null),
// and the sentence lists it as it was typed rather than guess "le" or "la".
const MASCULINE = new Set(["câble", "cable", "cordon", "casque", "stylet", "stylo", "plateau", "clavier", "écran",
  "hub", "dongle", "boîtier", "étui", "support", "trépied", "objectif", "micro", "tapis", "capot", "couvercle",
  "manuel", "tournevis", "projecteur", "vidéoprojecteur", "porte-bobine", "sac", "haut-parleur", "badge", "disque", "fil", "pied",
  "bloc", "kit", "lecteur", "filament", "extrudeur", "ventilateur", "pinceau", "cutter", "ordinateur", "portable",
  "téléphone", "appareil", "transformateur", "connecteur", "convertisseur"]);
const FEMININE = new Set(["souris", "alimentation", "batterie", "sacoche", "housse", "clé", "clef", "télécommande",
  "manette", "bobine", "buse", "spatule", "pince", "rallonge", "multiprise", "carte", "boîte", "notice", "vis",
  "mallette", "valise", "pochette", "lampe", "enceinte", "webcam", "caméra", "tablette", "prise", "plaque", "lame",
  "brosse", "colle", "hotte", "règle", "station", "base", "borne", "antenne", "pile", "console", "imprimante"]);
// Nouns whose singular already ends in s or x: never read as plurals.
const SAME_IN_PLURAL = new Set(["souris", "vis", "tapis", "tournevis"]);
// An h aspiré takes no elision ("la housse", "le hub").
const H_ASPIRE = new Set(["housse", "hub", "haut-parleur", "hotte"]);
const MASCULINE_ENDING = /(eur|age|ment)$/;
const FEMININE_ENDING = /(tion|sion|ette|elle|euse)$/;

function genderOf(word) {
  if (MASCULINE.has(word)) return "m";
  if (FEMININE.has(word)) return "f";
  if (MASCULINE_ENDING.test(word)) return "m";
  if (FEMININE_ENDING.test(word)) return "f";
  return null;
}

// "Chargeur USB-C" → "chargeur USB-C"; "HDMI" and "PLA" stay as they are (an acronym keeps its case).
function lowerFirst(name) {
  return /^\p{Lu}\p{Ll}/u.test(name) ? name[0].toLowerCase() + name.slice(1) : name;
}

export function withArticle(name) {
  const text = lowerFirst(String(name ?? "").trim());
  const head = text.split(/[\s(]/)[0].toLowerCase();
  if (!head) return null;
  const singular = head.replace(/[sx]$/, "");
  if (!SAME_IN_PLURAL.has(head) && singular !== head && genderOf(singular)) return `les ${text}`;
  const gender = genderOf(head);
  if (!gender) return null;
  const article = gender === "m" ? "le" : "la";
  return H_ASPIRE.has(head) ? `${article} ${text}` : elide(article, text);
}

// "le chargeur", "le chargeur et la souris", "le chargeur, la souris et l’adaptateur"; null when
// one of the names gets no article (the caller then lists the names as typed).
export function listWithArticles(names) {
  const parts = names.map(withArticle);
  if (!parts.length || parts.some((part) => part === null)) return null;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} et ${parts[parts.length - 1]}`;
}
