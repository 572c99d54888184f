import { expect } from 'chai';
import { auditPublication } from '../../src/components/reports/disclosure-audit.js';
import { buildEffectModel, type EffectModel, type EffectRow, type UnitEffect } from '../../src/components/reports/effect/model.js';
import { tablePublication } from '../../src/components/reports/protect.js';
import type { OrgUnit } from '../../src/components/reports/report-model.js';
import { between, pick, prng } from '../helpers/prng.js';

/**
 * Property (issue 19): in 150 random municipalities (seed 1919, reproducible) the effect figures of
 * the measure-3 report — per unit, district, unit type and municipality, and the monthly trend —
 * never show a count of fewer than 5 people or a mean over fewer than 5, the disclosure auditor finds
 * no hidden count that can be narrowed below the protection rule, and no hidden group's sum of answers
 * can be worked out from shown means by subtraction (checked here by brute force over every relation,
 * independently of the auditor). Small municipalities (2–5 units of 0–9 staff) on purpose: that is
 * where suppression is hard.
 */

const WINDOW = ['2026-01', '2026-02', '2026-03'];
const TYPES = ['barnehage', 'skole', 'sfo'] as const;

interface Case {
  units: OrgUnit[];
  effects: Map<string, UnitEffect>;
}

function randomCase(random: () => number): Case {
  const districts = between(random, 1, 2);
  const units: OrgUnit[] = Array.from({ length: between(random, 2, 5) }, (_, i) => {
    const d = between(random, 0, districts - 1);
    return { id: `u${i}`, name: `U${i}`, type: pick(random, TYPES), districtId: `d${d}`, districtName: `D${d}` };
  });
  const effects = new Map<string, UnitEffect>();
  for (const unit of units) {
    const staff = random() < 0.1 ? 0 : random() < 0.2 ? between(random, 1, 4) : between(random, 1, 9);
    const e: UnitEffect = { staff, respondents: 0, changeSum: 0, evaluators: 0, usefulnessSum: 0, relevanceSum: 0, recommendSum: 0, followUps: 0, changed: 0, months: {} };
    const answerRate = random();
    // The three-month follow-up: its own answer rate, and a share reporting changed practice from none to all.
    const followUpRate = random() < 0.15 ? 0 : random();
    const changeRate = random() < 0.2 ? 1 : random();
    for (let p = 0; p < staff; p += 1) {
      if (random() < answerRate) {
        // A person's mean change per statement: (after − before) summed over 4–8 statements, divided.
        const statements = between(random, 4, 8);
        let sum = 0;
        for (let s = 0; s < statements; s += 1) sum += between(random, -2, 4);
        const change = sum / statements;
        const month = random() < 0.3 ? '2025-10' : pick(random, WINDOW);
        e.respondents += 1;
        e.changeSum += change;
        const m = (e.months[month] ??= { respondents: 0, changeSum: 0 });
        m.respondents += 1;
        m.changeSum += change;
      }
      if (random() < answerRate) {
        e.evaluators += 1;
        e.usefulnessSum += between(random, 1, 5);
        e.relevanceSum += between(random, 1, 5);
        e.recommendSum += random() < 0.7 ? 1 : 0;
      }
      if (random() < followUpRate) {
        e.followUps += 1;
        if (random() < changeRate) e.changed += 1;
      }
    }
    effects.set(unit.id, e);
  }
  return { units, effects };
}

function scopesOf(c: Case) {
  const districts = [...new Set(c.units.map((u) => u.districtId))];
  const types = [...new Set(c.units.map((u) => u.type))];
  return {
    units: c.units.map((u) => `u:${u.id}`),
    districts: districts.map((d) => `d:${d}`),
    types: types.map((t) => `t:${t}`),
    /** Every relation a reader knows: an aggregate and the scopes it is the sum of. */
    relations: [
      ...districts.map((d) => ({ total: `d:${d}`, parts: c.units.filter((u) => u.districtId === d).map((u) => `u:${u.id}`) })),
      ...types.map((t) => ({ total: `t:${t}`, parts: c.units.filter((u) => u.type === t).map((u) => `u:${u.id}`) })),
      { total: 'all', parts: c.units.map((u) => `u:${u.id}`) },
      { total: 'all', parts: districts.map((d) => `d:${d}`) },
      { total: 'all', parts: types.map((t) => `t:${t}`) },
    ],
  };
}

/** The figures a reader gets of every page and export: each count with the mean it carries. */
function shownFigures(model: EffectModel, scopes: string[]): EffectRow[] {
  return scopes.map((s) => model.row(s));
}

describe('reports: effect figures of 150 random municipalities (property, seed 1919)', function () {
  this.timeout(180_000);

  it('shows no count or mean of fewer than 5 people, and no hidden count or sum of answers can be worked out', async () => {
    const random = prng(1919);
    const seen = { hiddenRespondents: 0, shownMeans: 0, smallUnits: 0, trendShown: 0, shownShares: 0, hiddenShares: 0 };
    for (let round = 0; round < 150; round += 1) {
      const c = randomCase(random);
      const model = await buildEffectModel({ units: c.units, effects: c.effects, window: WINDOW });
      const scopes = scopesOf(c);
      const rows = shownFigures(model, ['all', ...scopes.districts, ...scopes.types, ...scopes.units]);
      const byScope = new Map(rows.map((r) => [r.scope, r]));
      const where = (r: EffectRow) => `round ${round}, ${r.scope}`;

      for (const row of rows) {
        for (const count of [row.respondents, row.evaluators, row.staff, row.followUps]) {
          // A shown count is 0 or at least 5.
          if (!count.suppressed) expect(count.value === 0 || (count.value ?? 0) >= 5, `${where(row)} count ${count.value}`).to.equal(true);
        }
        // A shown mean or share rests on at least 5 people, and its count is shown.
        for (const [mean, count] of [
          [row.meanChange, row.respondents],
          [row.usefulness, row.evaluators],
          [row.relevance, row.evaluators],
          [row.recommend, row.evaluators],
          [row.responseRate, row.respondents],
        ] as const) {
          if (mean.suppressed || mean.value === null) continue;
          expect(count.suppressed, where(row)).to.equal(false);
          if (mean !== row.responseRate) expect(count.value ?? 0, where(row)).to.be.at.least(5);
          seen.shownMeans += 1;
        }
        // The share who changed practice: only over a shown count of at least 5 who answered, and it
        // pins neither side to 1–4 people (those who changed, those who did not).
        const answered = model.table.values[model.table.id(`${row.scope}|f`)!]!;
        const changed = model.table.values[model.table.id(`${row.scope}|c`)!]!;
        if (!row.changedPractice.suppressed && row.changedPractice.value !== null) {
          expect(row.followUps.suppressed, where(row)).to.equal(false);
          expect(answered, where(row)).to.be.at.least(5);
          expect(row.changedPractice.value, where(row)).to.equal(Math.round((1000 * changed) / answered) / 10);
          for (const side of [changed, answered - changed]) expect(side === 0 || side >= 5, `${where(row)} share pins ${side}`).to.equal(true);
          seen.shownShares += 1;
        } else if (answered > 0) {
          expect(row.changedPractice.suppressed, where(row)).to.equal(true);
          seen.hiddenShares += 1;
        }
        if (row.respondents.suppressed) seen.hiddenRespondents += 1;
        if ((c.effects.get(row.scope.slice(2))?.staff ?? 5) < 5 && row.scope.startsWith('u:')) seen.smallUnits += 1;
      }
      for (const point of model.trend(WINDOW)) {
        if (!point.respondents.suppressed) expect(point.respondents.value === 0 || (point.respondents.value ?? 0) >= 5, `round ${round} trend ${point.month}`).to.equal(true);
        if (point.meanChange.value !== null) {
          expect(point.respondents.suppressed).to.equal(false);
          expect(point.respondents.value ?? 0).to.be.at.least(5);
          seen.trendShown += 1;
        }
      }

      // The auditor over everything the model can publish: no hidden count is recoverable.
      const audit = await auditPublication(tablePublication(model.table, model.out));
      expect(audit.failures.map((f) => `${f.label} in [${f.lo}, ${f.hi}]`), `round ${round}`).to.deep.equal([]);
      // What the pages show is what the audit saw: a shown count is a shown cell of the proven table.
      for (const row of rows) {
        const id = model.table.id(`${row.scope}|r`)!;
        expect(row.respondents.suppressed, where(row)).to.equal(model.out[id]! || model.table.hidden[id]!);
        const f = model.table.id(`${row.scope}|f`)!;
        expect(row.followUps.suppressed, where(row)).to.equal(model.out[f]! || model.table.hidden[f]!);
        // A shown share publishes the count of those who changed: it must be a shown cell too.
        const c = model.table.id(`${row.scope}|c`)!;
        if (row.changedPractice.value !== null) expect(model.out[c]! || model.table.hidden[c]!, where(row)).to.equal(false);
      }

      // Independently of the auditor: subtraction over any relation never yields a hidden group's sum
      // of answers (every other term's mean and count shown, the one left hidden and not empty).
      for (const { total, parts } of scopes.relations) {
        const terms = [total, ...parts];
        for (const target of terms) {
          const row = byScope.get(target)!;
          if (!row.meanChange.suppressed && row.meanChange.value !== null) continue;
          const others = terms.filter((t) => t !== target);
          const allOthersShown = others.every((t) => {
            const o = byScope.get(t)!;
            return !o.respondents.suppressed && (o.respondents.value === 0 || o.meanChange.value !== null);
          });
          const hiddenRespondents = model.table.values[model.table.id(`${target}|r`)!]!;
          expect(allOthersShown && hiddenRespondents > 0, `round ${round}: ${target} recoverable from ${others.join(', ')}`).to.equal(false);
        }
      }
    }
    // The run exercised what it claims to.
    expect(seen.hiddenRespondents).to.be.greaterThan(100);
    expect(seen.shownMeans).to.be.greaterThan(100);
    expect(seen.smallUnits).to.be.greaterThan(20);
    expect(seen.trendShown).to.be.greaterThan(20);
    expect(seen.shownShares, JSON.stringify(seen)).to.be.greaterThan(20);
    expect(seen.hiddenShares, JSON.stringify(seen)).to.be.greaterThan(100);
  });
});
