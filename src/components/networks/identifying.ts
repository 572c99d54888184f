/**
 * A conservative check for details that could identify a child in a text a participant shares with
 * the network: names of persons, dates and birth dates, and 11-digit numbers (fødselsnummer). It
 * refuses rather than lets through: a capitalised word that is not at the start of a sentence and not
 * a known word is taken for a name. It cannot know a name that starts a sentence unless it is a common
 * first name (the list below), nor a name written in lower case; it is a reminder with teeth, not a
 * guarantee (docs/networks.md).
 */

export type FindingKind = 'name' | 'date' | 'born' | 'number';

export interface Finding {
  kind: FindingKind;
  /** The words as written in the text, to show the writer what to remove. */
  text: string;
}

/**
 * Capitalised words that are not names of persons: services, acronyms, places and words the app and
 * the municipality use. Compared in lower case.
 */
const ALLOWED = new Set(
  [
    'PPT', 'SFO', 'AKS', 'BUP', 'NAV', 'PALS', 'ICDP', 'TRAS', 'ASK', 'IKT', 'LK20', 'TPO', 'ADHD', 'ASD', 'DSM', 'IOP', 'IP',
    'Nordbyen', 'Sentrum', 'Solsikken', 'Kråkeslottet', 'Lindealleen', 'Fellesskap', 'Norge', 'Norden', 'Europa', 'Oslo', 'Bergen',
    'Trondheim', 'Stavanger', 'Tromsø', 'Viken', 'Udir', 'Utdanningsdirektoratet', 'Kunnskapsløftet', 'Fagfornyelsen', 'Rammeplanen',
    'Barnehageloven', 'Opplæringslova', 'Opplæringsloven', 'Statped', 'Barnevernet', 'Barnevern', 'Helsestasjonen', 'Helsetjenesten',
    'Helsesykepleier', 'Kommunen', 'Stortinget', 'Regjeringen', 'Teams', 'Google', 'Microsoft', 'Excel', 'Word', 'Mine', 'Samling',
    'Laget', 'Nettverket', 'Nettverk', 'Universitetet', 'Høgskolen', 'Høyskolen', 'OsloMet', 'NTNU', 'UiO', 'UiB', 'USN', 'Jul', 'Julen',
    'Påske', 'Påsken', 'Sankthans', 'Samisk', 'Norsk', 'Engelsk', 'Arabisk', 'Somali', 'Polsk', 'Ukrainsk',
  ].map((w) => w.toLocaleLowerCase('nb')),
);

/** Common first names of children in Norway: refused wherever they stand, at the start of a sentence too. */
const FIRST_NAMES = new Set(
  [
    'Emma', 'Nora', 'Olivia', 'Ella', 'Sofie', 'Leah', 'Frida', 'Ingrid', 'Sara', 'Maja', 'Ida', 'Hedda', 'Astrid', 'Selma', 'Alma',
    'Sofia', 'Emilie', 'Thea', 'Vilde', 'Amalie', 'Mia', 'Tiril', 'Aurora', 'Linnea', 'Julie', 'Hanna', 'Ellinor', 'Iben', 'Saga',
    'Jakob', 'Noah', 'Emil', 'Lucas', 'Oliver', 'Isak', 'William', 'Filip', 'Aksel', 'Theodor', 'Elias', 'Kasper', 'Magnus', 'Johannes',
    'Henrik', 'Mathias', 'Tobias', 'Sander', 'Jonas', 'Olav', 'Ludvig', 'Liam', 'Mohammed', 'Ali', 'Adam', 'Even', 'Sverre', 'Odin',
    'Kari', 'Ola', 'Pål', 'Espen', 'Lise', 'Anne', 'Ahmed', 'Fatima', 'Yusuf', 'Omar', 'Zainab', 'Amina', 'Oskar', 'Vetle',
  ].map((w) => w.toLocaleLowerCase('nb')),
);

const MONTHS = 'januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des';

const DATE_PATTERNS: RegExp[] = [
  // 12.03.2019, 12.3.19, 12/03/2019, 12-03-2019
  /(?<![\d])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d])/gu,
  // 2019-03-12
  /(?<![\d])\d{4}-\d{1,2}-\d{1,2}(?![\d])/gu,
  // 12. mars 2019, 12. mars, 12 mars
  new RegExp(`(?<![\\p{L}\\d])\\d{1,2}\\.?\\s+(?:${MONTHS})(?:\\s+\\d{4})?(?![\\p{L}])`, 'giu'),
];

/** «født», «fødd», «fødselsdag», «fødselsdato», «bursdag»: words about a birth date. */
const BORN = /(?<![\p{L}])(?:født|fødd|fødsels\p{L}*|bursdag\p{L}*)(?![\p{L}])/giu;

/** 11 digits, with or without a space after the sixth (fødselsnummer, d-nummer). */
const NUMBER = /(?<![\d])\d{6}[\s.-]?\d{5}(?![\d])/gu;

const WORD = /[\p{L}][\p{L}\p{M}'’-]*/gu;

function uniq(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.kind}:${f.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether the word at `index` starts a sentence, a line or a list item. */
function startsSentence(text: string, index: number): boolean {
  let i = index - 1;
  // Opening quotes and brackets do not end anything: look past them.
  while (i >= 0 && /[«"“'([]/u.test(text[i]!)) i -= 1;
  let sawSpace = false;
  while (i >= 0 && /\s/u.test(text[i]!)) {
    if (text[i] === '\n') return true;
    sawSpace = true;
    i -= 1;
  }
  if (i < 0) return true;
  // Closing quotes and brackets after the end of a sentence («Se planen.» Vi …; (Se planen.) Vi …).
  if (sawSpace) while (i > 0 && /[»"”')\]]/u.test(text[i]!) && /[.!?…]/u.test(text[i - 1]!)) i -= 1;
  const before = text[i]!;
  if (/[.!?:;…]/u.test(before)) return sawSpace || before === ':';
  // A list marker at the start of a line: "- ", "* ", "1. " are handled above (".") or here.
  if (/[-*•–]/u.test(before) && sawSpace) {
    let j = i - 1;
    while (j >= 0 && text[j] === ' ') j -= 1;
    return j < 0 || text[j] === '\n' || /[.!?:;…]/u.test(text[j]!);
  }
  return false;
}

/**
 * What in the text could identify a child, each finding once, in the order of the text by kind.
 * `allowedWords` adds words that are not names here (the municipality's unit names, the network's
 * name and themes).
 */
export function identifyingDetails(text: string, allowedWords: Iterable<string> = []): Finding[] {
  const allowed = new Set(ALLOWED);
  for (const phrase of allowedWords) for (const w of phrase.match(WORD) ?? []) allowed.add(w.toLocaleLowerCase('nb'));
  const findings: Finding[] = [];
  for (const m of text.matchAll(NUMBER)) findings.push({ kind: 'number', text: m[0] });
  // Dates after numbers: an 11-digit number is not also a date.
  const withoutNumbers = text.replace(NUMBER, (m) => ' '.repeat(m.length));
  for (const pattern of DATE_PATTERNS) for (const m of withoutNumbers.matchAll(pattern)) findings.push({ kind: 'date', text: m[0].trim() });
  for (const m of text.matchAll(BORN)) findings.push({ kind: 'born', text: m[0] });
  for (const m of text.matchAll(WORD)) {
    const word = m[0].replace(/['’-]+$/u, '');
    const first = word[0]!;
    if (first === first.toLocaleLowerCase('nb')) continue;
    const lower = word.toLocaleLowerCase('nb');
    // "Emma's", "Emmas": the name without a genitive ending.
    const stem = lower.replace(/['’]s$/u, '');
    if (FIRST_NAMES.has(stem) || FIRST_NAMES.has(lower.replace(/s$/u, ''))) {
      findings.push({ kind: 'name', text: word });
      continue;
    }
    if (allowed.has(lower) || allowed.has(stem)) continue;
    // Acronyms (PPT, BTI, LP): capitals only, up to five letters.
    if (word.length <= 5 && word === word.toLocaleUpperCase('nb')) continue;
    if (startsSentence(text, m.index)) continue;
    findings.push({ kind: 'name', text: word });
  }
  return uniq(findings);
}
