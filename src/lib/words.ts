/**
 * Whole-word matching for Norwegian and English text: a word boundary is anything that is not a
 * letter or a digit in any script (`\b` in JavaScript only knows ASCII, so "å" would end a word).
 */

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern that finds any of `words` as a whole word. Longer words are tried first, so
 * "ansvarsgruppa" wins over "ansvarsgruppe" where both are listed.
 */
export function wholeWords(words: ReadonlyArray<string>, options: { ignoreCase: boolean }): RegExp | undefined {
  const unique = [...new Set(words.map((w) => w.trim()).filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${unique.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, `gu${options.ignoreCase ? 'i' : ''}`);
}

/** Whether `text` contains one of `words` as a whole word. */
export function containsWord(text: string, words: ReadonlyArray<string>, options: { ignoreCase: boolean }): boolean {
  const pattern = wholeWords(words, options);
  return pattern ? pattern.test(text) : false;
}

/** Folds text for use in an id: lower case, æ/ø/å spelt out, accents dropped, other runs to "-". */
export function foldForId(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}
