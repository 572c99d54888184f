import { CellTable, isSmall, SMALL } from '../suppression.js';
import { protectTable } from '../protect.js';
import { unitsByDistrictAndType, type Figure, type OrgUnit } from '../report-model.js';

/**
 * The effect figures of the measure-3 report as one system of counts (pure), protected exactly as
 * the completion figures are: every count goes into a `CellTable` — per unit, district, unit type and
 * the municipality, and the municipality's monthly trend — with the relations a reader can use
 * (a scope's staff = those who answered + those who did not; an aggregate = the sum of its units;
 * cumulative figures never fall), then `protectTable` runs the first pass and the disclosure auditor
 * until no hidden count can be narrowed below the protection rule. No second rule.
 *
 * Means (the change before → after, the evaluation's scores) are shown only with their count of
 * people, and only where that count is shown and at least 5. A reader who could work out a hidden
 * group's sum of answers from shown means (an aggregate's sum minus its other parts') would need the
 * same linear combination of the shown counts, which would pin the hidden count: the audit of the
 * counts rules that out, so the means inherit the counts' protection.
 *
 * Counts are of people, per scope as in the completion report (someone in two units counts in
 * both): a person has answered when they rated the self-assessment both before and after in at
 * least one module of the set, and evaluated when they evaluated at least one. A person answered the
 * follow-up when they answered it for at least one module of the set, and reports changed practice
 * when at least one of those answers is 4 or 5 («Har du endret noe i praksis?», 1–5). The share who
 * report it is a count over a count, so both cells are in the table: answered = changed + not.
 */

/** One unit's answers over a set of modules, each person counted once. */
export interface UnitEffect {
  /** Staff counted (members today). */
  staff: number;
  /** People who answered the self-assessment before and after, and the sum of their mean changes per statement. */
  respondents: number;
  changeSum: number;
  /** People who evaluated, and the sums of their mean usefulness, relevance and share recommending. */
  evaluators: number;
  usefulnessSum: number;
  relevanceSum: number;
  recommendSum: number;
  /** People who answered the three-month follow-up, and of them those who report changed practice (4 or 5 of 5). */
  followUps: number;
  changed: number;
  /** By month (`YYYY-MM`) of their first answer after: how many became respondents, and their changes' sum. */
  months: Record<string, { respondents: number; changeSum: number }>;
}

export interface EffectModelInput {
  units: readonly OrgUnit[];
  effects: ReadonlyMap<string, UnitEffect>;
  /** The trend's months, oldest first; the last one is the current month. */
  window: readonly string[];
}

export interface EffectRow {
  scope: string;
  staff: Figure;
  respondents: Figure;
  /** Respondents per 100 staff (one decimal). */
  responseRate: Figure;
  /** Mean change per statement, after − before (two decimals, on the 1–5 scale). */
  meanChange: Figure;
  evaluators: Figure;
  usefulness: Figure;
  relevance: Figure;
  /** Share who would recommend, per 100 (one decimal). */
  recommend: Figure;
  /** People who answered the three-month follow-up («Har du endret noe i praksis?»). */
  followUps: Figure;
  /** Of those, the share who report changed practice, per 100 (one decimal). */
  changedPractice: Figure;
}

export interface EffectTrendPoint {
  month: string;
  respondents: Figure;
  meanChange: Figure;
}

export interface EffectModel {
  readonly window: readonly string[];
  row(scope: string): EffectRow;
  trend(months: readonly string[]): EffectTrendPoint[];
  readonly protection: { rounds: number; solves: number; hidden: number; cells: number; ms: number; exhausted: boolean };
  /** For tests: every count cell, its value, whether it is shown, and the table the audit proved. */
  readonly table: CellTable;
  readonly out: readonly boolean[];
}

const EMPTY: UnitEffect = { staff: 0, respondents: 0, changeSum: 0, evaluators: 0, usefulnessSum: 0, relevanceSum: 0, recommendSum: 0, followUps: 0, changed: 0, months: {} };

function add(into: UnitEffect, e: UnitEffect): void {
  into.staff += e.staff;
  into.respondents += e.respondents;
  into.changeSum += e.changeSum;
  into.evaluators += e.evaluators;
  into.usefulnessSum += e.usefulnessSum;
  into.relevanceSum += e.relevanceSum;
  into.recommendSum += e.recommendSum;
  into.followUps += e.followUps;
  into.changed += e.changed;
  for (const [month, m] of Object.entries(e.months)) {
    const mine = (into.months[month] ??= { respondents: 0, changeSum: 0 });
    mine.respondents += m.respondents;
    mine.changeSum += m.changeSum;
  }
}

const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;

export async function buildEffectModel(input: EffectModelInput): Promise<EffectModel> {
  const started = performance.now();
  const table = new CellTable();
  const sums = new Map<string, UnitEffect>();
  const window = input.window;

  /** The counts of one scope. Staff is known where the completion report treats it as known; otherwise it is never shown here (the completion report decides it). */
  const scopeCells = (scope: string, members: readonly UnitEffect[]) => {
    const total: UnitEffect = { ...EMPTY, months: {} };
    for (const m of members) add(total, m);
    sums.set(scope, total);
    const staff = total.staff;
    const known = (staff === 0 || staff >= SMALL) && members.every((t) => t.staff === 0 || t.staff >= SMALL);
    const s = table.cell(`${scope}|s`, staff, { primary: !known && isSmall(staff, staff), hidden: !known, known });
    const cell = (kind: string, v: number) => table.cell(`${scope}|${kind}`, v, { primary: isSmall(v, staff) });
    // Those who did not answer are never shown (whether someone answered a voluntary question is not
    // what the threshold protects; their answers are), but a reader can subtract: they take part in
    // the relations as unknowns.
    const rest = (kind: string, v: number) => table.cell(`${scope}|${kind}`, v, { primary: false, hidden: true });
    table.equation(s, [cell('r', total.respondents), rest('rn', staff - total.respondents)]);
    table.equation(s, [cell('e', total.evaluators), rest('en', staff - total.evaluators)]);
    // The follow-up: who answered it (as the others), and of them who report changed practice. Both
    // answers are protected alike, so those who did not report a change are a hidden count of their
    // own with the same rule (a shown share must not pin 1–4 people on either side).
    const answered = cell('f', total.followUps);
    table.equation(s, [answered, rest('fn', staff - total.followUps)]);
    const unchanged = total.followUps - total.changed;
    table.equation(answered, [cell('c', total.changed), table.cell(`${scope}|cn`, unchanged, { primary: isSmall(unchanged, staff), hidden: true })]);
  };

  const effectOf = (unitId: string) => input.effects.get(unitId) ?? EMPTY;
  for (const unit of input.units) scopeCells(`u:${unit.id}`, [effectOf(unit.id)]);
  const { districts, types } = unitsByDistrictAndType(input.units);
  const kinds = ['s', 'r', 'rn', 'e', 'en', 'f', 'fn', 'c', 'cn'];
  const aggregate = (scope: string, units: readonly OrgUnit[]) => {
    scopeCells(scope, units.map((u) => effectOf(u.id)));
    for (const kind of kinds) table.equation(table.id(`${scope}|${kind}`)!, units.map((u) => table.id(`u:${u.id}|${kind}`)!));
  };
  for (const [id, units] of districts) aggregate(`d:${id}`, units);
  for (const [type, units] of types) aggregate(`t:${type}`, units);
  aggregate('all', input.units);
  for (const groups of [[...districts.keys()].map((id) => `d:${id}`), [...types.keys()].map((t) => `t:${t}`)]) {
    for (const kind of kinds) table.equation(table.id(`all|${kind}`)!, groups.map((g) => table.id(`${g}|${kind}`)!));
  }

  // The municipality's trend: respondents at each month's end (today's figure is the last), built
  // from the monthly new respondents, which are never shown (as the completion trend's new completions).
  const all = sums.get('all')!;
  const staffAll = all.staff;
  let before = 0;
  for (const [month, m] of Object.entries(all.months)) if (month < window[0]!) before += m.respondents;
  let cum = before;
  let previous = -1;
  const cumulative = new Map<string, { respondents: number; changeSum: number }>();
  let changeCum = Object.entries(all.months).filter(([month]) => month < window[0]!).reduce((s, [, m]) => s + m.changeSum, 0);
  window.forEach((month, i) => {
    const added = all.months[month]?.respondents ?? 0;
    cum += added;
    changeCum += all.months[month]?.changeSum ?? 0;
    cumulative.set(month, { respondents: cum, changeSum: changeCum });
    const last = i === window.length - 1;
    const cumCell = last ? table.id('all|r')! : table.cell(`all|r|cum|${month}`, cum, { primary: isSmall(cum, staffAll) });
    const incCell = table.cell(`all|r|inc|${month}`, added, { primary: false, hidden: true });
    if (previous >= 0) table.equation(cumCell, [previous, incCell]);
    previous = cumCell;
  });

  const protection = await protectTable(table);
  const out = protection.out;
  const shownCount = (name: string): Figure => {
    const id = table.id(name);
    const value = id === undefined ? 0 : table.values[id]!;
    return { value, suppressed: id === undefined || out[id]! || table.hidden[id]! };
  };
  /** A mean over `count` people: only with its count shown and at least 5. */
  const meanOf = (count: Figure, sum: number, decimals: number, scale = 1): Figure => {
    const n = count.value ?? 0;
    if (count.suppressed) return { value: null, suppressed: true };
    if (n < SMALL) return { value: null, suppressed: n > 0 };
    return { value: round((scale * sum) / n, decimals), suppressed: false };
  };

  return {
    window,
    table,
    out,
    protection: { rounds: protection.rounds, solves: protection.solves, hidden: out.filter(Boolean).length, cells: table.values.length, ms: Math.round(performance.now() - started), exhausted: protection.exhausted },
    row(scope) {
      const total = sums.get(scope) ?? EMPTY;
      const staff = shownCount(`${scope}|s`);
      const respondents = shownCount(`${scope}|r`);
      const evaluators = shownCount(`${scope}|e`);
      const followUps = shownCount(`${scope}|f`);
      const changed = shownCount(`${scope}|c`);
      const rate: Figure =
        staff.suppressed || respondents.suppressed ? { value: null, suppressed: true } : total.staff === 0 ? { value: null, suppressed: false } : { value: round((100 * total.respondents) / total.staff, 1), suppressed: false };
      return {
        scope,
        staff,
        respondents,
        responseRate: rate,
        meanChange: meanOf(respondents, total.changeSum, 2),
        evaluators,
        usefulness: meanOf(evaluators, total.usefulnessSum, 2),
        relevance: meanOf(evaluators, total.relevanceSum, 2),
        recommend: meanOf(evaluators, total.recommendSum, 1, 100),
        followUps,
        // A share of people is a count over a count: shown only where both are, and from 5 answers.
        changedPractice: changed.suppressed ? { value: null, suppressed: true } : meanOf(followUps, total.changed, 1, 100),
      };
    },
    trend(months) {
      const last = window[window.length - 1];
      return months
        .filter((m) => window.includes(m))
        .map((month) => {
          const respondents = shownCount(month === last ? 'all|r' : `all|r|cum|${month}`);
          return { month, respondents, meanChange: meanOf(respondents, cumulative.get(month)?.changeSum ?? 0, 2) };
        });
    },
  };
}
