import { expect } from 'chai';
import { chartGeometry, labelWidth } from '../../src/components/reports/chart.js';
import { formatters } from '../../src/components/reports/present.js';
import { prng, between } from '../../src/lib/prng.js';

/**
 * The trend chart's month labels (issue 17: "jan. 2026feb. 2026mars 2026" ran together). For every
 * period length the report offers (1–36 months), in every language, with any start month, the
 * labels chosen never overlap in the SVG's own units (the text scales with the SVG, so that holds
 * at every width; test/e2e/reports.test.ts measures it in Chromium), and the year is written
 * where it changes.
 */

const monthKeys = (startYear: number, startMonth: number, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const m = startMonth - 1 + i;
    return `${startYear + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });

describe('reports: trend chart month labels', () => {
  for (const lang of ['nb', 'nn', 'en']) {
    it(`${lang}: for 1–36 months from any start, labelled months never overlap and the year shows where it changes`, () => {
      const fmt = formatters(lang);
      const random = prng(lang.charCodeAt(0) * 31 + 17);
      for (let count = 1; count <= 36; count += 1) {
        const keys = monthKeys(between(random, 2024, 2027), between(random, 1, 12), count);
        const points = keys.map((k) => ({ label: fmt.month(k), month: fmt.monthShort(k), year: k.slice(0, 4), value: random() < 0.2 ? null : random() * 100 }));
        const g = chartGeometry(points, 80);
        expect(g.xTicks.length, `${count} months`).to.be.at.least(1);
        for (let i = 1; i < g.xTicks.length; i += 1) {
          const a = g.xTicks[i - 1]!;
          const b = g.xTicks[i]!;
          const room = b.x - a.x;
          expect(room, `${lang}, ${count} months: ${a.label} | ${b.label}`).to.be.greaterThan((labelWidth(a.lines) + labelWidth(b.lines)) / 2);
        }
        // The first label carries its year; later ones only where the year changes.
        expect(g.xTicks[0]!.lines).to.have.length(2);
        let year = g.xTicks[0]!.lines[1];
        for (const tick of g.xTicks.slice(1)) {
          if (tick.lines.length === 2) {
            expect(tick.lines[1], 'a year is written only when it changes').to.not.equal(year);
            year = tick.lines[1];
          }
        }
        // Labels stay inside the drawing.
        for (const tick of g.xTicks) {
          expect(tick.x - labelWidth(tick.lines) / 2, `${tick.label} left`).to.be.at.least(0);
          expect(tick.x + labelWidth(tick.lines) / 2, `${tick.label} right`).to.be.at.most(g.width);
        }
      }
    });
  }

  it('twelve months in bokmål: every month has a label (nothing is thinned that fits)', () => {
    const fmt = formatters('nb');
    const keys = monthKeys(2026, 1, 12);
    const g = chartGeometry(keys.map((k) => ({ label: fmt.month(k), month: fmt.monthShort(k), year: k.slice(0, 4), value: 50 })), null);
    expect(g.xTicks.map((t) => t.lines[0])).to.have.length(12);
    expect(g.xTicks[0]!.lines).to.deep.equal([fmt.monthShort('2026-01'), '2026']);
  });
});
