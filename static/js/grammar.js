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
export function elide(word, next) {
  const text = String(next ?? "");
  if (!ELIDABLE.has(word.toLowerCase()) || !ELIDES_BEFORE.test(text.trim())) return `${word} ${text}`;
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
