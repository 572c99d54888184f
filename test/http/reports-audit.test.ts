import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../helpers/auth.js';
import { completeModule, publishFixture } from '../helpers/learning-fixture.js';
import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import mongoose from 'mongoose';
import { reportRoutes } from '../../src/components/reports/index.js';

/**
 * The two published recoveries of issue 13, replayed over HTTP against the real database: a reader
 * who has only the municipal CSV export, and knows that Utløpt is always 0 without a renewal rule,
 * must not be able to work out a hidden count. The reader's arithmetic is done here by brute force,
 * independently of the server's auditor: every integer row consistent with what the line shows.
 */

interface Line {
  staff: string;
  completed: string;
  inProgress: string;
  expired: string;
  notStarted: string;
}

const HIDDEN = '<5';

/** Every value a hidden status cell of one CSV line can take (staff hidden: 0–60). */
function feasibleValues(line: Line, expiredIsZero: boolean): Array<{ cell: keyof Line; values: Set<number> }> {
  const cells: Array<keyof Line> = ['completed', 'inProgress', 'expired', 'notStarted'];
  const range = (text: string, max: number) => (text === HIDDEN ? Array.from({ length: max + 1 }, (_, i) => i) : [Number(text)]);
  const found = new Map<keyof Line, Set<number>>(cells.map((c) => [c, new Set<number>()]));
  for (const staff of range(line.staff, 60)) {
    for (const c of range(line.completed, staff)) {
      for (const p of range(line.inProgress, staff)) {
        for (const e of expiredIsZero ? [0] : range(line.expired, staff)) {
          if (line.expired !== HIDDEN && e !== Number(line.expired)) continue;
          const n = staff - c - p - e;
          if (n < 0 || (line.notStarted !== HIDDEN && n !== Number(line.notStarted))) continue;
          found.get('completed')!.add(c);
          found.get('inProgress')!.add(p);
          found.get('expired')!.add(e);
          found.get('notStarted')!.add(n);
        }
      }
    }
  }
  return cells.filter((c) => line[c] === HIDDEN).map((cell) => ({ cell, values: found.get(cell)! }));
}

function parseLine(text: string, prefix: string): Line {
  const line = text.split('\r\n').find((l) => l.startsWith(prefix));
  expect(line, `${prefix} in\n${text}`).to.be.a('string');
  const f = line!.split(';');
  return { staff: f[4]!, completed: f[5]!, inProgress: f[6]!, expired: f[7]!, notStarted: f[8]! };
}

/** The protection rule, checked from the reader's side: at least 5 values apart, and possibly 5 or more. */
function expectProtected(line: Line, label: string): void {
  for (const { cell, values } of feasibleValues(line, true)) {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    expect(hi - lo, `${label}: ${cell} is one of ${[...values].join(',')} (line ${JSON.stringify(line)})`).to.be.at.least(5);
    expect(hi, `${label}: ${cell} is known to be under 5`).to.be.at.least(5);
  }
}

describe('http: reports survive arithmetic (issue 13 published recoveries)', function () {
  this.timeout(180_000);
  let app: Express;
  let admin: Agent;

  beforeEach(async () => {
    await clearDatabase();
    app = await buildTestApp();
    const unit = await createUnit('Nordbyen barnehage', 'barnehage', 'Nordbyen');
    const inclusive = (await publishFixture({ slug: 'inkluderende-fellesskap', small: true })).versionId!;
    const samspill = (await publishFixture({ slug: 'samspill-og-forebygging', small: true })).versionId!;
    const staff = [];
    for (let i = 0; i < 8; i += 1) staff.push(await createUser({ name: `Ansatt ${i}`, memberships: [{ unitId: unit, role: 'ansatt' }] }));
    // 1 of 8 has completed both modules; the other 7 have started inkluderende-fellesskap.
    await completeModule(staff[0]!.id, unit, inclusive, 'inkl');
    await completeModule(staff[0]!.id, unit, samspill, 'samspill');
    const version = (await learningVersion(inclusive))!;
    const progress = new ProgressService(createLogger('silent'));
    for (const [i, person] of staff.slice(1).entries()) {
      await progress.act({ userId: person.id, version, activityId: 'lesson:lytte', action: 'markRead', input: {}, actionId: `start-nordbyen-${i}`, unitIds: [unit] });
    }
    const ad = await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] });
    admin = await signIn(app, ad.email);
  });

  it('regression (Nordbyen, inkluderende-fellesskap): the CSV line 8;<5;7;<5;0 no longer gives Fullført = 1 by subtraction', async () => {
    const res = await admin.get('/kommune/rapport/eksport.csv?moduler=inkluderende-fellesskap');

    expect(res.status).to.equal(200);
    expectProtected(parseLine(res.text, 'Bydel;Nordbyen'), 'district');
    expectProtected(parseLine(res.text, 'Kommunen;'), 'municipality');
    expectProtected(parseLine(res.text, 'Enhet;Nordbyen barnehage'), 'unit');
  });

  it('regression (Nordbyen, samspill-og-forebygging): the CSV line 8;<5;<5;0;7 no longer gives Fullført + Påbegynt = 1', async () => {
    const res = await admin.get('/kommune/rapport/eksport.csv?moduler=samspill-og-forebygging');

    expect(res.status).to.equal(200);
    expectProtected(parseLine(res.text, 'Bydel;Nordbyen'), 'district');
    expectProtected(parseLine(res.text, 'Kommunen;'), 'municipality');
    expectProtected(parseLine(res.text, 'Enhet;Nordbyen barnehage'), 'unit');
  });
});

describe('http: every municipal report route goes through the disclosure audit (generated from the route table)', function () {
  this.timeout(180_000);

  /** Routes of the reports component that show settings or the access log, not figures. */
  const NOT_FIGURES = new Set(['/kommune/rapport/innstillinger', '/kommune/rapport/fornying', '/kommune/rapport/logg']);

  it('each GET /kommune/rapport… route that sends figures is checked by the audit before it answers', async () => {
    await clearDatabase();
    const services = testServices();
    const app = await buildTestApp({ services });
    const unit = await createUnit('Sørbyen skole', 'skole', 'Sørbyen');
    await publishFixture({ slug: 'samspill-og-forebygging', small: true });
    for (let i = 0; i < 3; i += 1) await createUser({ memberships: [{ unitId: unit, role: 'ansatt' }] });
    const admin = await signIn(app, (await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] })).email);
    const districtId = String((await mongoose.connection.db!.collection('districts').findOne({ name: 'Sørbyen' }))!._id);
    const router = reportRoutes(services.reports, { sweepIntervalMs: 0 }) as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
    const paths = router.stack
      .map((layer) => layer.route)
      .filter((route): route is { path: string; methods: Record<string, boolean> } => !!route && !!route.methods.get && route.path.startsWith('/kommune/rapport') && !NOT_FIGURES.has(route.path))
      .map((route) => route.path);

    for (const path of paths) {
      const before = services.reports.auditCosts().checked;
      const res = await admin.get(path.replace(':districtId', districtId).replace(':unitId', unit));
      expect(res.status, path).to.equal(200);
      expect(services.reports.auditCosts().checked, `${path} was sent without the audit`).to.be.greaterThan(before);
    }
    // The table has the routes the issue names: dashboard, district, unit, CSV, XLSX and print.
    expect(paths).to.include.members(['/kommune/rapport', '/kommune/rapport/bydel/:districtId', '/kommune/rapport/enhet/:unitId', '/kommune/rapport/eksport.csv', '/kommune/rapport/eksport.xlsx', '/kommune/rapport/utskrift']);
  });
});
