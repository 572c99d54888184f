/**
 * `npm run bench:reports`: how fast the report pages are at the scale of a large municipality, and
 * how the cost grows with the number of staff.
 *
 * For each size (default 1,500, 15,000 and 60,000 staff in 350 units with 12 modules) it starts a
 * fresh embedded database in a temporary directory (never ./data), seeds it with insertMany in batches
 * — units and districts, staff with memberships (a few in two units, a leader per unit), a progress
 * record per person and module (so 180,000 at 15,000 staff), completion facts for about two thirds of
 * them spread over two years, the learners' summaries, and a few assignments per unit — then builds
 * the report summaries with the same code as `npm run reports:rebuild`. It builds the app in-process
 * as in production (view cache on, request logs to /dev/null), logs in a municipal admin and a unit
 * leader through the login form, and measures over HTTP, one request after the other:
 *   - the municipal dashboard (`/kommune/rapport`), p50 and p95 of N requests;
 *   - a unit dashboard (`/leder/enheter/<unit>`), p50 and p95 of N requests;
 *   - the municipal CSV export and the unit CSV export (median of 5).
 * The core modules carry a self-assessment before and after and an evaluation, answered by about 60 %
 * of those who completed them, so the dashboard's «Effekt» section (issue 19) is part of every
 * dashboard measured: its first build (one scan of the answers, and its proof) is printed apart.
 * Every request is a real one: session, policy, audit log entry, rendering.
 * The last line printed is one JSON object with every figure.
 *
 * Usage: npm run bench:reports [-- --sizes 1500,15000,60000 --requests 50 --units 350]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/index.js';
import { createApp, createServices } from '../../src/app.js';
import { hashPassword } from '../../src/components/accounts/index.js';
import { rebuildUnitLists } from '../../src/components/assignments/index.js';
import { formLogin } from '../lib/form-login.js';
import { prng } from '../../src/lib/prng.js';
import { seedDemoData } from '../../src/seed/index.js';
import { municipalReport } from '../../src/components/reports/municipal.service.js';
import { effectCosts, effectModelsBuilt } from '../../src/components/reports/effect/effect.service.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1500,15000,60000' },
    requests: { type: 'string', default: '50' },
    units: { type: 'string', default: '350' },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const REQUESTS = Number(args.requests);
const UNITS = Number(args.units);
const MODULES = 12;
const PASSWORD = 'Bench-passord-123';
const DAY = 86_400_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function insertBatched(collection: string, docs: Iterable<Record<string, unknown>>, batch = 5000): Promise<number> {
  const col = mongoose.connection.db!.collection(collection);
  let buffer: Record<string, unknown>[] = [];
  let n = 0;
  for (const doc of docs) {
    buffer.push(doc);
    if (buffer.length >= batch) {
      await col.insertMany(buffer as never[], { ordered: false });
      n += buffer.length;
      buffer = [];
    }
  }
  if (buffer.length) {
    await col.insertMany(buffer as never[], { ordered: false });
    n += buffer.length;
  }
  return n;
}

interface Seeded {
  adminEmail: string;
  leaderEmail: string;
  leaderUnitId: string;
  leaderUnitStaff: number;
  progress: number;
  completions: number;
}

const STATEMENTS = ['u1', 'u2', 'u3', 'u4'];
/** The self-assessment before and after and the evaluation in every core module (as published versions store them). */
const EFFECT_ACTIVITIES = [
  ...(['before', 'after'] as const).map((phase) => ({
    id: `kartlegging-${phase}`,
    kind: 'self-assessment',
    lessonSlug: 'start',
    required: false,
    settings: { id: `kartlegging-${phase}`, required: false, phase, statements: STATEMENTS.map((id) => ({ id, text: `Påstand ${id}` })) },
    view: {},
  })),
  { id: 'vurdering', kind: 'module-evaluation', lessonSlug: 'start', required: false, settings: { id: 'vurdering', required: false }, view: {} },
];

/** One learner's stored answers: before lower than after (mostly), an evaluation. */
function effectStates(random: () => number, completedAt: Date): Record<string, unknown> {
  const at = completedAt.toISOString();
  const rating = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  return {
    'kartlegging-before': { ratings: Object.fromEntries(STATEMENTS.map((id) => [id, rating(1, 4)])), answeredAt: at },
    'kartlegging-after': { ratings: Object.fromEntries(STATEMENTS.map((id) => [id, rating(2, 5)])), answeredAt: at },
    vurdering: { usefulness: rating(2, 5), relevance: rating(2, 5), recommend: random() < 0.8, suggestion: '', evaluatedAt: at },
  };
}

/** The municipality: districts, units, modules, staff, their progress and completions, assignments. */
async function seed(staff: number, now: Date): Promise<Seeded> {
  const random = prng(staff);
  const { ObjectId } = mongoose.Types;
  const districts = Array.from({ length: 14 }, (_, i) => ({ _id: new ObjectId(), name: `Bydel ${i + 1}`, closedAt: null, createdAt: now, updatedAt: now }));
  const types = ['barnehage', 'barnehage', 'barnehage', 'skole', 'skole', 'skole', 'sfo', 'barnehage', 'skole', 'annet'];
  const units = Array.from({ length: UNITS }, (_, i) => ({
    _id: new ObjectId(),
    name: `Enhet ${String(i + 1).padStart(3, '0')}`,
    type: types[i % types.length],
    districtId: districts[i % districts.length]!._id,
    orgNumber: null,
    nationalId: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
  }));
  await insertBatched('districts', districts);
  await insertBatched('units', units);

  const twoYearsAgo = new Date(now.getTime() - 730 * DAY);
  const modules = Array.from({ length: MODULES }, (_, i) => ({ slug: `modul-${String(i + 1).padStart(2, '0')}`, title: `Modul ${i + 1}`, measures: i < 8 ? [3] : [1], majors: i < 2 ? 2 : 1 }));
  await insertBatched(
    'modules',
    modules.map((m) => ({
      _id: m.slug,
      title: m.title,
      status: 'active',
      latestVersionId: `${m.slug}@${m.majors}.0`,
      latestMajor: m.majors,
      latestMinor: 0,
      publishedHash: m.slug,
      prerequisites: [],
      draftFiles: [],
      draftHash: null,
      revision: 0,
      createdAt: twoYearsAgo,
    })),
  );
  await insertBatched(
    'module_versions',
    modules.flatMap((m) =>
      Array.from({ length: m.majors }, (_, j) => ({
        _id: `${m.slug}@${j + 1}.0`,
        moduleSlug: m.slug,
        major: j + 1,
        minor: 0,
        kind: 'major',
        changeNote: '',
        publishedBy: { id: null, name: 'bench' },
        publishedAt: j === 0 ? twoYearsAgo : new Date(now.getTime() - 120 * DAY),
        contentHash: m.slug,
        title: m.title,
        frontMatter: { title: m.title, measures: m.measures, minutes: 60, audience: [], themes: [], goals: [], sources: [], language: 'nb', summary: '' },
        introHtml: '',
        introToc: [],
        lessons: [],
        activities: m.measures.includes(3) ? EFFECT_ACTIVITIES : [],
        assets: [],
        files: [],
      })),
    ),
  );

  const passwordHash = await hashPassword(PASSWORD);
  const unitOf = (i: number) => units[i % units.length]!;
  const staffIds: Array<InstanceType<typeof ObjectId>> = [];
  function* users() {
    yield { email: 'kommune@bench.example', name: 'Kommune Admin', passwordHash, roles: ['municipal-admin'], memberships: [], status: 'active', createdAt: now, updatedAt: now, __v: 0 };
    for (let i = 0; i < staff; i += 1) {
      const id = new ObjectId();
      staffIds.push(id);
      const memberships = [{ _id: new ObjectId(), unitId: unitOf(i)._id, role: i < units.length ? 'leder' : 'ansatt', startDate: twoYearsAgo, endDate: null }];
      // A few work in two units (a school and its SFO, say).
      if (random() < 0.03) memberships.push({ _id: new ObjectId(), unitId: unitOf(i + 1)._id, role: 'ansatt', startDate: twoYearsAgo, endDate: null });
      yield { _id: id, email: `ansatt${i}@bench.example`, name: `Ansatt ${i}`, passwordHash, roles: [], memberships, status: 'active', createdAt: now, updatedAt: now, __v: 0 };
    }
  }
  await insertBatched('users', users(), 2000);

  // Learning: a progress record per person and module, completed for about two thirds.

  const learners: Array<Record<string, unknown>> = [];
  const completionDocs: Array<Record<string, unknown>> = [];
  function* progress() {
    for (let i = 0; i < staff; i += 1) {
      const userId = String(staffIds[i]);
      const summary: Record<string, Record<string, unknown>> = {};
      for (const m of modules) {
        const major = m.majors > 1 && random() < 0.3 ? 2 : 1;
        const startedAt = new Date(twoYearsAgo.getTime() + random() * 700 * DAY);
        const completed = random() < 0.65;
        const completedAt = completed ? new Date(Math.min(now.getTime() - 1000, startedAt.getTime() + random() * 60 * DAY)) : null;
        const id = `${userId}:${m.slug}@${major}`;
        summary[m.slug] = {
          [`m${major}`]: { minor: 0, percent: completed ? 100 : Math.floor(random() * 90), startedAt: startedAt.toISOString(), updatedAt: (completedAt ?? startedAt).toISOString(), lastLesson: null, completedAt: completedAt?.toISOString() ?? null },
        };
        if (completedAt) completionDocs.push({ _id: id, userId, moduleSlug: m.slug, versionId: `${m.slug}@${major}.0`, major, unitIds: [String(unitOf(i)._id)], completedAt, minutes: 60, certificateCode: randomBytes(6).toString('hex') });
        const activities = completedAt && m.measures.includes(3) && random() < 0.6 ? effectStates(random, completedAt) : {};
        yield { _id: id, userId, moduleSlug: m.slug, major, minor: 0, activities, actions: {}, lastLesson: null, startedAt, updatedAt: completedAt ?? startedAt, completedAt, completedVersionId: completedAt ? `${m.slug}@${major}.0` : null };
      }
      learners.push({ _id: userId, modules: summary });
    }
  }
  const progressCount = await insertBatched('progress', progress());
  const completions = await insertBatched('completions', completionDocs);
  await insertBatched('learners', learners, 2000);

  // Two municipal assignments per unit, one with a deadline that has passed.
  await insertBatched(
    'assignments',
    units.flatMap((u, i) =>
      [0, 1].map((k) => ({
        _id: `bench-${i}-${k}`,
        moduleSlug: modules[k]!.slug,
        target: { kind: 'unit', unitId: String(u._id), userIds: [] },
        deadline: new Date(now.getTime() + (k === 0 ? -30 : 60) * DAY),
        scope: 'municipal',
        unitId: String(u._id),
        createdBy: { id: null, name: 'bench' },
        createdAt: twoYearsAgo,
        batch: null,
      })),
    ),
  );
  const leaderIndex = 17;
  return {
    adminEmail: 'kommune@bench.example',
    leaderEmail: `ansatt${leaderIndex}@bench.example`,
    leaderUnitId: String(unitOf(leaderIndex)._id),
    leaderUnitStaff: Math.round(staff / units.length),
    progress: progressCount,
    completions,
  };
}

async function timed(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const res = await fetch(url, { headers: { Cookie: cookie } });
  const body = await res.arrayBuffer();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { ms, bytes: body.byteLength };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
};

async function measure(url: string, cookie: string, n: number): Promise<{ p50: number; p95: number; bytes: number }> {
  // Two warm-up requests: the first builds the parsed counts and the report model for this data.
  await timed(url, cookie);
  await timed(url, cookie);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i += 1) {
    const r = await timed(url, cookie);
    times.push(r.ms);
    bytes = r.bytes;
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

async function runSize(staff: number) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-bench-reports-'));
  const logger = pino({ level: 'info', base: { service: 'fellesskap' } }, pino.destination({ dest: '/dev/null', sync: false }));
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'info' });
  const db = await openDatabase(config, logger, { dbName: 'fellesskap_bench_reports' });
  let server: Server | undefined;
  try {
    const now = new Date();
    const seedStart = performance.now();
    const seeded = await seed(staff, now);
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    log(`${staff} staff: seeded ${seeded.progress} progress records and ${seeded.completions} completion facts in ${seedSeconds} s`);

    const summaryStart = performance.now();
    // The assignments were inserted behind the services' back: build the units' lists from them, as
    // `npm run reports:rebuild` does.
    await rebuildUnitLists();
    const services = createServices({ config, logger });
    const report = await services.reports.rebuild({ now });
    const summarySeconds = Math.round((performance.now() - summaryStart) / 100) / 10;
    log(`${staff} staff: summaries for ${report.people} people in ${report.units} units built in ${summarySeconds} s`);

    const app = await createApp({ config, logger, services });
    app.enable('view cache');
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const adminCookie = await formLogin(base, seeded.adminEmail, PASSWORD);
    const leaderCookie = await formLogin(base, seeded.leaderEmail, PASSWORD);

    // The first request builds the report model and proves its suppression (once per data version).
    const first = await timed(`${base}/kommune/rapport`, adminCookie);
    const proven = services.reports.auditCosts().model;
    log(
      `${staff} staff: first municipal dashboard ${Math.round(first.ms)} ms, of which proving the suppression ${proven?.ms ?? '?'} ms (${proven?.rounds ?? '?'} audit rounds, ${proven?.solves ?? '?'} solver runs of which ${proven?.integerSolves ?? '?'} integer programs, ${proven?.hidden ?? '?'} cells hidden)`,
    );
    // The effect section is built off the request (one scan of the answers): wait for it, so every
    // dashboard measured below carries it.
    const effectStart = performance.now();
    await effectModelsBuilt(services.reports);
    const effectWaitMs = Math.round(performance.now() - effectStart);
    const effect = effectCosts(services.reports);
    log(
      `${staff} staff: effect section built off the request: ${effect?.answers ?? '?'} answers read with the rosters in ${effect?.readMs ?? '?'} ms, model built and proven in ${effect?.protection.ms ?? '?'} ms (${effect?.protection.rounds ?? '?'} audit rounds, ${effect?.protection.solves ?? '?'} solver runs, ${effect?.protection.hidden ?? '?'} of ${effect?.protection.cells ?? '?'} cells hidden${effect?.protection.exhausted ? ', budget exhausted' : ''}); waited ${effectWaitMs} ms after the first dashboard`,
    );
    const withEffect = await timed(`${base}/kommune/rapport`, adminCookie);
    const body = await (await fetch(`${base}/kommune/rapport`, { headers: { Cookie: adminCookie } })).text();
    if (!body.includes('id="effect-table"')) throw new Error('the dashboard has no effect figures after the effect model was built');
    log(`${staff} staff: municipal dashboard with the effect section ${Math.round(withEffect.ms)} ms (${Math.round(withEffect.bytes / 1024)} KB)`);
    const municipal = await measure(`${base}/kommune/rapport`, adminCookie, REQUESTS);
    log(`${staff} staff: municipal dashboard p50 ${municipal.p50} ms, p95 ${municipal.p95} ms (${Math.round(municipal.bytes / 1024)} KB)`);
    // The same dashboard with its disclosure audit run on every request (normally a pass is kept
    // until the data change).
    const audited: number[] = [];
    const auditOnly: number[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      services.reports.forgetPassedAudits();
      audited.push((await timed(`${base}/kommune/rapport`, adminCookie)).ms);
      auditOnly.push(services.reports.auditCosts().views.municipal?.ms ?? NaN);
    }
    const municipalAudit = { p50: percentile(audited, 50), p95: percentile(audited, 95), auditP50: percentile(auditOnly, 50), auditP95: percentile(auditOnly, 95), solves: services.reports.auditCosts().views.municipal?.solves ?? 0 };
    log(`${staff} staff: municipal dashboard audited on every request p50 ${municipalAudit.p50} ms, p95 ${municipalAudit.p95} ms; the audit alone p50 ${municipalAudit.auditP50} ms, p95 ${municipalAudit.auditP95} ms (${municipalAudit.solves} solver runs)`);
    // The plain dashboard once more, a while after the effect build (its scan's garbage and the
    // database's work after it are behind us): tells a transient slowdown from a steady one.
    const municipalLater = await measure(`${base}/kommune/rapport`, adminCookie, REQUESTS);
    log(`${staff} staff: municipal dashboard measured again later p50 ${municipalLater.p50} ms, p95 ${municipalLater.p95} ms`);
    const unit = await measure(`${base}/leder/enheter/${seeded.leaderUnitId}`, leaderCookie, REQUESTS);
    log(`${staff} staff: unit dashboard (${seeded.leaderUnitStaff} staff) p50 ${unit.p50} ms, p95 ${unit.p95} ms (${Math.round(unit.bytes / 1024)} KB)`);
    const csv = await measure(`${base}/kommune/rapport/eksport.csv`, adminCookie, 5);
    const exportAudits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      services.reports.forgetPassedAudits();
      await timed(`${base}/kommune/rapport/eksport.csv`, adminCookie);
      exportAudits.push(services.reports.auditCosts().views.export?.ms ?? NaN);
    }
    const exportAudit = { p50: percentile(exportAudits, 50), p95: percentile(exportAudits, 95), hidden: services.reports.auditCosts().views.export?.hidden ?? 0, solves: services.reports.auditCosts().views.export?.solves ?? 0 };
    log(`${staff} staff: municipal CSV export audit p50 ${exportAudit.p50} ms, p95 ${exportAudit.p95} ms (${exportAudit.hidden} hidden figures, ${exportAudit.solves} solver runs)`);
    // A unit's page per module: small per-module counts, so hidden figures the solver has to bound.
    const unitPageAudits: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      services.reports.forgetPassedAudits();
      await timed(`${base}/kommune/rapport/enhet/${seeded.leaderUnitId}`, adminCookie);
      unitPageAudits.push(services.reports.auditCosts().views.unit?.ms ?? NaN);
    }
    const unitPageAudit = { p50: percentile(unitPageAudits, 50), p95: percentile(unitPageAudits, 95), hidden: services.reports.auditCosts().views.unit?.hidden ?? 0, solves: services.reports.auditCosts().views.unit?.solves ?? 0 };
    log(`${staff} staff: unit page (per module) audit p50 ${unitPageAudit.p50} ms, p95 ${unitPageAudit.p95} ms (${unitPageAudit.hidden} hidden figures, ${unitPageAudit.solves} solver runs)`);
    const unitCsv = await measure(`${base}/leder/enheter/${seeded.leaderUnitId}/eksport.csv`, leaderCookie, 5);
    log(`${staff} staff: municipal CSV ${csv.p50} ms (${Math.round(csv.bytes / 1024)} KB), unit CSV ${unitCsv.p50} ms`);
    return {
      staff,
      units: UNITS,
      modules: MODULES,
      progressRecords: seeded.progress,
      completionFacts: seeded.completions,
      unitStaff: seeded.leaderUnitStaff,
      municipalP50Ms: municipal.p50,
      municipalP95Ms: municipal.p95,
      municipalLaterP50Ms: municipalLater.p50,
      municipalLaterP95Ms: municipalLater.p95,
      unitP50Ms: unit.p50,
      unitP95Ms: unit.p95,
      csvMs: csv.p50,
      firstMunicipalMs: Math.round(first.ms),
      effectAnswers: effect?.answers ?? null,
      effectReadMs: effect?.readMs ?? null,
      effectProofMs: effect?.protection.ms ?? null,
      effectRounds: effect?.protection.rounds ?? null,
      effectHidden: effect?.protection.hidden ?? null,
      effectWaitMs,
      proofMs: proven?.ms ?? null,
      proofRounds: proven?.rounds ?? null,
      municipalAuditedP50Ms: municipalAudit.p50,
      municipalAuditedP95Ms: municipalAudit.p95,
      municipalAuditP95Ms: municipalAudit.auditP95,
      exportAuditP50Ms: exportAudit.p50,
      exportAuditP95Ms: exportAudit.p95,
      exportHidden: exportAudit.hidden,
      unitPageAuditP50Ms: unitPageAudit.p50,
      unitPageAuditP95Ms: unitPageAudit.p95,
      unitPageHidden: unitPageAudit.hidden,
      unitCsvMs: unitCsv.p50,
      seedSeconds,
      summarySeconds,
    };
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The demo municipality (the one `npm start` seeds: 25 units of 6–32 people in three districts, 9
 * modules, a year of history): many small units, so many small cells. Proving its suppression is
 * the hard case, unlike the large even municipality above; this prints what the proof costs, how long
 * the event loop was held at most meanwhile, and what the dashboard shows.
 */
async function runDemo(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-bench-demo-'));
  const silent = pino({ level: 'silent' });
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'true' });
  const db = await openDatabase(config, silent, { dbName: 'fellesskap_bench_demo' });
  try {
    const { reports } = createServices({ config, logger: silent });
    await seedDemoData(config, silent, reports);
    await reports.whenIdle();
    reports.forgetMunicipalCaches();
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const page = await municipalReport(reports, {}, (t) => t);
    const ms = performance.now() - started;
    clearInterval(timer);
    const rows = [page.total, ...page.districts, ...page.types];
    const figures = {
      firstMunicipalMs: Math.round(ms),
      proof: reports.auditCosts().model,
      maxEventLoopGapMs: Math.round(maxGap),
      rowsWithPercentShown: `${rows.filter((r) => !r.percent.suppressed).length}/${rows.length}`,
      trendPointsShown: `${page.trend.points.filter((p) => !p.completed.suppressed).length}/${page.trend.points.length}`,
    };
    log(`demo municipality: first dashboard ${figures.firstMunicipalMs} ms; proof ${JSON.stringify(figures.proof)}; event loop held at most ${figures.maxEventLoopGapMs} ms; percentages shown ${figures.rowsWithPercentShown} rows, trend ${figures.trendPointsShown} months`);
    return figures;
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log(`bench:reports: sizes ${SIZES.join(', ')} staff, ${UNITS} units, ${MODULES} modules, ${REQUESTS} requests per page, ${os.cpus().length} CPUs`);
  const sizes = [];
  for (const staff of SIZES) sizes.push(await runSize(staff));
  const demo = await runDemo();
  log(JSON.stringify({ sizes, demo, requests: REQUESTS, cpus: os.cpus().length }));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:reports failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
