import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import { declaredRoutes } from '../helpers/route-table.js';
import mongoose from 'mongoose';
import request from 'supertest';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, logIn, startAppServer } from '../helpers/browser.js';
import { vnuErrors } from '../helpers/vnu.js';
import { buildTestApp, testConfig } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, TEST_PASSWORD } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { paths } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { CompletionModel, LearnerModel, LearningService, ProgressService, progressId } from '../../src/components/learning/index.js';
import { DistrictModel } from '../../src/components/organisation/index.js';
import { UserModel, sendActivation } from '../../src/components/accounts/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { TeamSessionService } from '../../src/components/teams/index.js';
import { NetworkService } from '../../src/components/networks/index.js';
import { confirmImport, getImport, previewImport } from '../../src/components/imports/index.js';
import { unsubscribeToken } from '../../src/components/reminders/index.js';
import { Mailer } from '../../src/components/mail/index.js';

/**
 * Accessibility across the whole platform (issue 8): axe (WCAG 2.1 A/AA) on every page type, in one
 * table that is checked against the app's own route table; a few pages in nynorsk and English;
 * keyboard-only journeys (login, a lesson with every activity kind, the leader's dashboard) with a
 * visible focus indicator and a working skip link; reflow at 320 CSS px; the trend chart's data table;
 * and the accessibility statement in all three languages.
 */

type Role = 'anonymous' | 'staff' | 'newcomer' | 'leader' | 'author' | 'municipal' | 'system';

interface PageCase {
  /** The route pattern (as registered in Express) this page stands for. */
  route: string;
  as: Role;
  /** The address to open, built from the data the test arranged. */
  url: () => string;
  status?: number;
  /** What the page is, for failure messages. */
  what: string;
  /** Gets from the opened page to the page to check (e.g. posts a form with a forged CSRF token); returns its status. */
  prepare?: (page: Page) => Promise<number>;
}

const ids = {
  unit: '',
  otherUnit: '',
  district: '',
  ola: '',
  deactivated: '',
  session: '',
  network: '',
  gathering: '',
  certificate: '',
  activationToken: '',
  unsubscribe: '',
  importPreview: '',
  importDone: '',
  mail: '',
};

const SLUG = 'samtaler';

/** Every page type, with the role that sees it. The route table test below keeps this list complete. */
const PAGES: PageCase[] = [
  // Public pages.
  { route: '/', as: 'anonymous', url: () => '/', what: 'front page' },
  { route: '/logg-inn', as: 'anonymous', url: () => '/logg-inn', what: 'login' },
  { route: '/passord/glemt', as: 'anonymous', url: () => '/passord/glemt', what: 'password reset request' },
  { route: '/passord/glemt/sendt', as: 'anonymous', url: () => '/passord/glemt/sendt', what: 'reset link sent' },
  { route: '/passord/ny/:token', as: 'anonymous', url: () => `/passord/ny/${ids.activationToken}`, what: 'activation (choose a password)' },
  { route: '/passord/ny/:token', as: 'anonymous', url: () => `/passord/ny/${'x'.repeat(43)}`, what: 'a reset link that does not work', status: 404 },
  { route: '/bevis', as: 'anonymous', url: () => '/bevis', what: 'certificate check form' },
  { route: '/bevis/:code', as: 'anonymous', url: () => `/bevis/${ids.certificate}`, what: 'a genuine certificate' },
  { route: '/bevis/:code', as: 'anonymous', url: () => '/bevis/AAAA-BBBB-CCCC', what: 'an unknown certificate code', status: 404 },
  { route: '/tilgjengelighet', as: 'anonymous', url: () => '/tilgjengelighet', what: 'accessibility statement' },
  { route: '/varsler/avmeld/:token', as: 'anonymous', url: () => `/varsler/avmeld/${ids.unsubscribe}`, what: 'digest unsubscribe confirmation' },
  { route: '(404)', as: 'anonymous', url: () => '/finnes-ikke', what: 'error page 404', status: 404 },
  {
    route: '(csrf)',
    as: 'anonymous',
    url: () => '/logg-inn',
    what: 'error page after a form with a forged CSRF token',
    status: 403,
    prepare: async (page) => {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logg-inn'),
        page.evaluate(() => {
          const form = document.querySelector<HTMLFormElement>('form[action="/logg-inn"]')!;
          form.querySelector<HTMLInputElement>('input[name="_csrf"]')!.value = 'forged';
          form.submit();
        }),
      ]);
      await page.getByText('Skjemaet var utløpt eller ugyldig').waitFor();
      return response.status();
    },
  },

  // Staff.
  { route: '/mine-kurs', as: 'staff', url: () => '/mine-kurs', what: 'Mine kurs' },
  { route: '/moduler/:slug', as: 'staff', url: () => `/moduler/${SLUG}/`, what: 'module page' },
  { route: '/moduler/:slug/ordliste', as: 'staff', url: () => `/moduler/${SLUG}/ordliste`, what: 'glossary (word explanations link here)' },
  { route: '/moduler/:slug/oppfolging', as: 'staff', url: () => `/moduler/${SLUG}/oppfolging`, what: 'three-month follow-up (not completed: the message)' },
  { route: '/moduler/:slug/oppfolging', as: 'staff', url: () => '/moduler/medvirkning/oppfolging', what: 'three-month follow-up (due: the two questions)' },
  { route: '/moduler/:slug/:lesson', as: 'staff', url: () => `/moduler/${SLUG}/lytte`, what: 'lesson: reading, video, reflection' },
  { route: '/moduler/:slug/:lesson', as: 'staff', url: () => `/moduler/${SLUG}/sporre`, what: 'lesson: summary, word explanation, quiz, workplace task' },
  { route: '/moduler/:slug/:lesson', as: 'staff', url: () => `/moduler/${SLUG}/sammen`, what: 'lesson: team session' },
  { route: '/moduler/:slug/:lesson', as: 'newcomer', url: () => '/moduler/videre/lytte', what: 'a locked lesson', status: 403 },
  { route: '/mine-kurs/laeringslogg', as: 'staff', url: () => '/mine-kurs/laeringslogg', what: 'learning log' },
  { route: '/mine-data', as: 'staff', url: () => '/mine-data', what: 'my data' },
  { route: '/varsler', as: 'staff', url: () => '/varsler', what: 'e-mail settings' },
  { route: '/teammoter/:sessionId', as: 'staff', url: () => `/teammoter/${ids.session}`, what: 'a missed team session' },
  { route: '(403)', as: 'staff', url: () => '/admin/enheter', what: 'error page 403', status: 403 },

  // Leaders.
  { route: '/leder', as: 'leader', url: () => '/leder', what: "leader's area" },
  { route: '/leder/enheter', as: 'leader', url: () => '/leder/enheter', what: 'units with dashboards' },
  { route: '/leder/enheter/:unitId', as: 'leader', url: () => `/leder/enheter/${ids.unit}?sort=${SLUG}&retning=desc`, what: 'unit dashboard (sorted)' },
  { route: '/leder/enheter/:unitId/utskrift', as: 'leader', url: () => `/leder/enheter/${ids.unit}/utskrift`, what: 'unit dashboard for printing' },
  { route: '/leder/enheter/:unitId/effekt', as: 'leader', url: () => `/leder/enheter/${ids.unit}/effekt`, what: 'effect figures of the unit' },
  { route: '/leder/enheter/:unitId/personer/:personId', as: 'leader', url: () => `/leder/enheter/${ids.unit}/personer/${ids.ola}`, what: 'person drill-down' },
  { route: '/leder/:unitId/tildelinger', as: 'leader', url: () => `/leder/${ids.unit}/tildelinger`, what: 'assignments' },
  { route: '/leder/:unitId/teammoter', as: 'leader', url: () => `/leder/${ids.unit}/teammoter`, what: 'team sessions (plan)' },
  { route: '/leder/:unitId/teammoter/:sessionId', as: 'leader', url: () => `/leder/${ids.unit}/teammoter/${ids.session}`, what: 'team session attendance' },
  { route: '/leder/:unitId/teammoter/:sessionId/guide', as: 'leader', url: () => `/leder/${ids.unit}/teammoter/${ids.session}/guide`, what: 'team session guide' },
  { route: '/leder/:unitId/paminnelser', as: 'leader', url: () => `/leder/${ids.unit}/paminnelser`, what: 'reminders' },
  { route: '/leder/:unitId/nettverk', as: 'leader', url: () => `/leder/${ids.unit}/nettverk`, what: "the unit's networks (appoint participants)" },
  // Networks: the leader coordinates the fixture network; the staff member takes part in it.
  { route: '/nettverk', as: 'staff', url: () => '/nettverk', what: 'my networks' },
  { route: '/nettverk/:networkId', as: 'leader', url: () => `/nettverk/${ids.network}`, what: 'a network for its coordinator (plan a gathering)' },
  { route: '/nettverk/:networkId/samlinger/:gatheringId', as: 'leader', url: () => `/nettverk/${ids.network}/samlinger/${ids.gathering}`, what: 'a gathering for its coordinator (attendance)' },
  { route: '/nettverk/:networkId/samlinger/:gatheringId', as: 'staff', url: () => `/nettverk/${ids.network}/samlinger/${ids.gathering}`, what: 'a gathering for a participant (agenda, own report, share a summary)' },
  // The author is the fixture network's invited external partner: gatherings and shared summaries only.
  { route: '/nettverk/:networkId', as: 'author', url: () => `/nettverk/${ids.network}`, what: 'a network for an external partner' },
  { route: '/nettverk/:networkId/samlinger/:gatheringId', as: 'author', url: () => `/nettverk/${ids.network}/samlinger/${ids.gathering}`, what: 'a gathering for an external partner (shared summaries)' },

  // Authors.
  { route: '/forfatter/moduler', as: 'author', url: () => '/forfatter/moduler', what: 'module list' },
  { route: '/forfatter/moduler/:slug', as: 'author', url: () => `/forfatter/moduler/${SLUG}`, what: 'module in the editor' },
  { route: '/forfatter/moduler/:slug/innstillinger', as: 'author', url: () => `/forfatter/moduler/${SLUG}/innstillinger`, what: 'module settings' },
  { route: '/forfatter/moduler/:slug/ordliste', as: 'author', url: () => `/forfatter/moduler/${SLUG}/ordliste`, what: 'module glossary form' },
  { route: '/forfatter/moduler/:slug/leksjoner/:file', as: 'author', url: () => `/forfatter/moduler/${SLUG}/leksjoner/01-lytte.md`, what: 'lesson editor' },
  { route: '/forfatter/moduler/:slug/leksjoner/:file/aktivitet', as: 'author', url: () => `/forfatter/moduler/${SLUG}/leksjoner/01-lytte.md/aktivitet`, what: 'choose a kind of activity' },
  { route: '/forfatter/moduler/:slug/leksjoner/:file/aktivitet', as: 'author', url: () => `/forfatter/moduler/${SLUG}/leksjoner/01-lytte.md/aktivitet?type=quiz`, what: 'new quiz form' },
  { route: '/forfatter/moduler/:slug/leksjoner/:file/aktivitet', as: 'author', url: () => `/forfatter/moduler/${SLUG}/leksjoner/01-lytte.md/aktivitet?blokk=0`, what: 'activity block edit form' },
  { route: '/forfatter/moduler/:slug/forhandsvis', as: 'author', url: () => `/forfatter/moduler/${SLUG}/forhandsvis`, what: 'preview' },
  { route: '/forfatter/moduler/:slug/forhandsvis/:lesson', as: 'author', url: () => `/forfatter/moduler/${SLUG}/forhandsvis/sporre`, what: 'lesson preview' },
  { route: '/forfatter/moduler/:slug/publiser', as: 'author', url: () => `/forfatter/moduler/${SLUG}/publiser`, what: 'publish' },
  { route: '/forfatter/moduler/:slug/versjoner', as: 'author', url: () => `/forfatter/moduler/${SLUG}/versjoner`, what: 'versions' },
  { route: '/forfatter/moduler/:slug/statistikk', as: 'author', url: () => `/forfatter/moduler/${SLUG}/statistikk`, what: 'statistics for authors' },
  { route: '/forfatter/moduler/:slug/versjoner/sammenlign', as: 'author', url: () => `/forfatter/moduler/${SLUG}/versjoner/sammenlign?fra=1.0&til=1.1`, what: 'version diff' },

  // Municipal administrators.
  { route: '/admin', as: 'municipal', url: () => '/admin', what: 'administration' },
  { route: '/admin/enheter', as: 'municipal', url: () => '/admin/enheter', what: 'units' },
  { route: '/admin/enheter/ny', as: 'municipal', url: () => '/admin/enheter/ny', what: 'new unit' },
  { route: '/admin/enheter/:unitId', as: 'municipal', url: () => `/admin/enheter/${ids.unit}`, what: 'edit a unit' },
  { route: '/admin/personer', as: 'municipal', url: () => '/admin/personer?q=a', what: 'people search with results' },
  { route: '/admin/personer/:personId', as: 'municipal', url: () => `/admin/personer/${ids.ola}`, what: 'a person' },
  { route: '/admin/import', as: 'municipal', url: () => '/admin/import', what: 'import upload' },
  { route: '/admin/import/:importId', as: 'municipal', url: () => `/admin/import/${ids.importPreview}`, what: 'import preview' },
  { route: '/admin/import/:importId', as: 'municipal', url: () => `/admin/import/${ids.importDone}`, what: 'import result' },
  { route: '/kommune/rapport', as: 'municipal', url: () => '/kommune/rapport', what: 'measure-3 report with trend chart' },
  { route: '/kommune/rapport/bydel/:districtId', as: 'municipal', url: () => `/kommune/rapport/bydel/${ids.district}`, what: 'district report' },
  { route: '/kommune/rapport/enhet/:unitId', as: 'municipal', url: () => `/kommune/rapport/enhet/${ids.unit}`, what: 'unit report (aggregates)' },
  { route: '/kommune/rapport/utskrift', as: 'municipal', url: () => '/kommune/rapport/utskrift', what: 'printable report' },
  { route: '/kommune/rapport/innstillinger', as: 'municipal', url: () => '/kommune/rapport/innstillinger', what: 'report settings' },
  { route: '/kommune/rapport/fornying', as: 'municipal', url: () => '/kommune/rapport/fornying', what: 'renewal rules' },
  { route: '/kommune/rapport/logg', as: 'municipal', url: () => '/kommune/rapport/logg', what: 'audit log' },
  { route: '/kommune/tildelinger', as: 'municipal', url: () => '/kommune/tildelinger', what: "the municipality's assignments" },
  { route: '/admin/nettverk', as: 'municipal', url: () => '/admin/nettverk', what: 'learning networks (create)' },
  { route: '/admin/nettverk/:networkId', as: 'municipal', url: () => `/admin/nettverk/${ids.network}`, what: 'a learning network (edit, merge, close)' },

  // System administrators.
  { route: '/admin/bydeler', as: 'system', url: () => '/admin/bydeler', what: 'districts' },
  { route: '/admin/bydeler/:districtId', as: 'system', url: () => `/admin/bydeler/${ids.district}`, what: 'a district' },
  { route: '/admin/personer/:personId', as: 'system', url: () => `/admin/personer/${ids.deactivated}`, what: 'a deactivated person (anonymise form)' },
  { route: '/utvikling/e-post', as: 'system', url: () => '/utvikling/e-post', what: 'mail outbox' },
  { route: '/utvikling/e-post/:id', as: 'system', url: () => `/utvikling/e-post/${ids.mail}`, what: 'one mail in the outbox' },
];

/** GET routes that render no HTML page of their own, or whose pages are checked in another file. */
const NOT_PAGES: Record<string, string> = {
  '/healthz': 'probe, JSON',
  '/readyz': 'probe, JSON',
  '/moduler/filer/:hash/:name': 'module files (images, captions, video)',
  '/mine-kurs/kursbevis/:file': 'certificate PDF',
  '/mine-kurs/laeringslogg/markdown': 'Markdown download',
  '/mine-kurs/laeringslogg/pdf': 'PDF download',
  '/mine-data/last-ned': 'JSON download',
  '/admin/import/eksempel/:kind': 'sample CSV file',
  '/forfatter/moduler/:slug/eksport': 'zip download',
  '/leder/enheter/:unitId/eksport.csv': 'CSV download',
  '/leder/enheter/:unitId/eksport.xlsx': 'XLSX download',
  '/kommune/rapport/eksport.csv': 'CSV download',
  '/kommune/rapport/eksport.xlsx': 'XLSX download',
  '/utvikling/e-post/:id/html': "a mail's HTML, served with a CSP sandbox that forbids scripts (so axe cannot run in it) and shown in a frame on the message page, which is checked",
  '/logg-inn/sso': 'redirect to the identity provider; its refusal page is checked with axe in test/e2e/sso.test.ts',
  '/logg-inn/sso/callback': 'redirect back from the identity provider; checked in test/e2e/sso.test.ts',
};

const LOGINS: Record<Exclude<Role, 'anonymous'>, { email: string; name: string }> = {
  staff: { email: 'ola@a11y.test', name: 'Ola Hansen' },
  newcomer: { email: 'kari@a11y.test', name: 'Kari Nordmann' },
  leader: { email: 'siri@a11y.test', name: 'Siri Dahl' },
  author: { email: 'astrid@a11y.test', name: 'Astrid Forfatter' },
  municipal: { email: 'mari@a11y.test', name: 'Mari Strand' },
  system: { email: 'system@a11y.test', name: 'Sina System' },
};

/** Every GET route the app declares (its endpoint manifest, which holds every route it mounts). */
function getRoutes(app: Express): string[] {
  return [...new Set(declaredRoutes(app).filter((r) => r.methods.includes('get')).map((r) => r.path))].sort();
}

interface Focused {
  tag: string;
  name: string;
  inMain: boolean;
  visibleFocus: boolean;
  className: string;
}

async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    const labelled = (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
    const name = (el.getAttribute('aria-label') || labelled || el.textContent || '').replace(/\s+/g, ' ').trim();
    return { tag: el.tagName.toLowerCase(), name, inMain: !!el.closest('main'), visibleFocus: outline || shadow, className: el.className };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches, checking on the way that every
 * element that gets focus shows it.
 */
async function tabTo(page: Page, matches: (f: Focused) => boolean, what: string, backwards = false): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 120; i += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (!f) continue;
    seen.push(`${f.tag} «${f.name.slice(0, 40)}»`);
    expect(f.visibleFocus, `visible focus on ${f.tag} «${f.name}» on ${page.url()}`).to.equal(true);
    if (matches(f)) return;
  }
  throw new Error(`never reached ${what} by keyboard on ${page.url()}; focus went to: ${seen.join(', ')}`);
}

const named = (tag: string, name: string | RegExp) => (f: Focused) => f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));

/** Logs in from the login page with the keyboard alone; leaders land on their figures (/leder). */
async function keyboardLogin(page: Page, email: string, landing = '/'): Promise<void> {
  await tabTo(page, named('input', 'E-postadresse'), 'the e-mail field');
  await page.keyboard.type(email);
  await tabTo(page, named('input', 'Passord'), 'the password field');
  await page.keyboard.type(TEST_PASSWORD);
  await tabTo(page, named('button', 'Logg inn'), 'the login button');
  await Promise.all([page.waitForURL((url) => url.pathname === landing), page.keyboard.press('Enter')]);
}

/** Presses Enter on the focused element and waits for the address the journey expects. */
async function enterAndWait(page: Page, url: RegExp | string): Promise<void> {
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

describe('browser: accessibility – every page type, keyboard journeys, reflow and the statement', function () {
  this.timeout(600_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startAppServer>>;
  const contexts = new Map<string, BrowserContext>();
  /** Every page the axe loop opened, for one run of the Nu HTML checker. */
  const checkedHtml: Array<{ name: string; html: string }> = [];

  before(async () => {
    await clearDatabase();
    ids.unit = await createUnit('Solsikken barnehage', 'barnehage', 'Nordbyen');
    ids.otherUnit = await createUnit('Nordbyen skole', 'skole', 'Nordbyen');
    ids.district = String((await DistrictModel.findOne({ name: 'Nordbyen' }).lean())!._id);
    await publishFixture();
    await publishFixture({ wording: 'Alle barn har rett til å bli hørt.', kind: 'minor' });
    await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true });
    await publishFixture({ slug: 'videre', title: 'Videre samtaler', small: true, prerequisites: [SLUG] });
    await publishFixture({ slug: 'samtalar', title: 'Samtalar med barn', small: true, language: 'nn' });

    const member = (role: 'ansatt' | 'leder') => [{ unitId: ids.unit, role }];
    const ola = await createUser({ ...LOGINS.staff, memberships: member('ansatt') });
    ids.ola = ola.id;
    await createUser({ ...LOGINS.newcomer, memberships: member('ansatt') });
    const siri = await createUser({ ...LOGINS.leader, memberships: member('leder') });
    await createUser({ ...LOGINS.author, roles: ['author'] });
    const mari = await createUser({ ...LOGINS.municipal, roles: ['municipal-admin'] });
    await createUser({ ...LOGINS.system, roles: ['system-admin'] });
    for (let i = 1; i <= 5; i += 1) {
      const person = await createUser({ name: `Ansatt ${i}`, memberships: member('ansatt') });
      await doActivities(person.id, ids.unit, 'medvirkning@1.0');
    }
    // The school next door: enough people for the municipal figures and trend to be shown under the
    // small-cell rule (the kindergarten's own figures are small and hidden).
    for (let i = 1; i <= 24; i += 1) {
      const person = await createUser({ name: `Lærer ${i}`, memberships: [{ unitId: ids.otherUnit, role: 'ansatt' }] });
      if (i <= 14) await doActivities(person.id, ids.otherUnit, 'medvirkning@1.0');
    }
    const leaver = await createUser({ name: 'Per Lie', memberships: member('ansatt') });
    ids.deactivated = leaver.id;
    await UserModel.updateOne({ _id: leaver.id }, { $set: { status: 'deactivated' } });

    // Assignments: one overdue (reminders have someone to remind), one ahead.
    const by = { id: siri.id, name: 'Siri Dahl' };
    await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'unit', unitId: ids.unit }, deadline: new Date(todayDateOnly().getTime() - 7 * 86_400_000), createdBy: by });
    await createAssignment({ moduleSlug: SLUG, target: { kind: 'unit', unitId: ids.unit }, deadline: new Date(todayDateOnly().getTime() + 60 * 86_400_000), createdBy: by });

    // Ola: every activity of both modules (a certificate for medvirkning), the team session missed.
    await doActivities(ola.id, ids.unit, 'medvirkning@1.0');
    await doActivities(ola.id, ids.unit, `${SLUG}@1.1`, { skipTeamSession: true });
    ids.certificate = (await CompletionModel.findById(progressId(ola.id, 'medvirkning', 1)).lean())!.certificateCode;
    // Ola completed medvirkning 100 days ago (as his summary says), so its follow-up asks its questions.
    await LearnerModel.updateOne({ _id: ola.id }, { $set: { 'modules.medvirkning.m1.completedAt': new Date(Date.now() - 100 * 86_400_000).toISOString() } });

    // A team session today, with attendance recorded: Siri was there, Ola was not.
    const logger = createLogger('silent');
    const teams = new TeamSessionService(new LearningService(new ProgressService(logger), logger, 'http://localhost'), logger);
    const leader: SessionUser = { id: siri.id, name: 'Siri Dahl', email: LOGINS.leader.email, roles: new Set(), memberOf: new Set([ids.unit]), leaderOf: new Set([ids.unit]) };
    ids.session = await teams.plan(leader, ids.unit, { activity: `${SLUG}/team`, date: isoDate(todayDateOnly()), time: '00:05', place: 'Personalrommet', facilitator: 'Siri Dahl' });
    await teams.recordAttendance(leader, ids.unit, ids.session, [siri.id]);

    // An import waiting for confirmation, and one done.
    const admin: SessionUser = { id: mari.id, name: 'Mari Strand', email: LOGINS.municipal.email, roles: new Set(['municipal-admin']), memberOf: new Set(), leaderOf: new Set() };

    // A learning network of both units coordinated by Siri, with Ola taking part and a gathering today.
    const networks = new NetworkService(new LearningService(new ProgressService(logger), logger, 'http://localhost'), logger);
    ids.network = await networks.create(admin, { name: 'Laget rundt barna', themes: 'språk, overganger', from: isoDate(todayDateOnly()), to: '', units: [ids.unit, ids.otherUnit], coordinators: LOGINS.leader.email });
    await networks.create(admin, { name: 'Skolefravær', themes: '', from: isoDate(todayDateOnly()), to: '', units: [ids.unit, ids.otherUnit], coordinators: LOGINS.leader.email });
    await networks.setParticipants(leader, ids.unit, ids.network, [ola.id]);
    ids.gathering = await networks.planGathering(leader, ids.network, { title: 'Samling 1', date: isoDate(todayDateOnly()), time: '23:59', place: 'Rådhuset', agenda: '## Program\n\n- Velkommen\n- Pedagogisk analyse', activity: '' });
    // One held yesterday with attendance recorded, so the coordinator's network report has its tables.
    const heldGathering = await networks.planGathering(leader, ids.network, { title: 'Samling 0', date: isoDate(new Date(todayDateOnly().getTime() - 86_400_000)), time: '10:00', place: 'Rådhuset', agenda: '', activity: '' });
    await networks.recordAttendance(leader, ids.network, heldGathering, [ola.id]);
    await networks.saveSummary(leader, ids.network, ids.gathering, { summary: '## Dette tar vi med oss\n\n- Pedagogisk analyse i hvert team', task: 'Prøv en pedagogisk analyse på avdelingen.' });
    // The participant shares a summary; the author is the network's invited external partner.
    const olaUser: SessionUser = { id: ola.id, name: 'Ola', email: '', roles: new Set(), memberOf: new Set([ids.unit]), leaderOf: new Set() };
    await networks.saveReport(olaUser, ids.network, ids.gathering, { report: 'Min rapport.', summary: 'Vi prøvde analyse i teamet, og det ga ro.', share: true });
    await networks.invitePartner(admin, ids.network, { email: LOGINS.author.email, name: '' });
    const csv = (rows: string[]) => new TextEncoder().encode(['navn;epost;enhet;rolle', ...rows, ''].join('\n'));
    const pending = await previewImport({ actor: admin, kind: 'staff', fileName: 'ansatte.csv', bytes: csv([`Nora Olsen;nora@a11y.test;${ids.unit};ansatt`, `Emil Johansen;emil(at)a11y.test;${ids.unit};ansatt`]) });
    const done = await previewImport({ actor: admin, kind: 'staff', fileName: 'nye.csv', bytes: csv([`Sara Larsen;sara@a11y.test;${ids.otherUnit};leder`]) });
    if (!pending.ok || !done.ok) throw new Error('import fixtures did not parse');
    ids.importPreview = pending.id;
    ids.importDone = done.id;
    const plan = await getImport(admin, done.id);
    await confirmImport(admin, done.id, { planHash: plan.planHash, validOnly: false });

    server = await startAppServer();
    // A mailed activation link (in the development outbox; mail is set up with the app) and a digest
    // unsubscribe link.
    const invited = await createUser({ name: 'Ida Ny', email: 'ida@a11y.test' });
    await UserModel.updateOne({ _id: invited.id }, { $set: { status: 'invited' }, $unset: { passwordHash: 1 } });
    await sendActivation(new Mailer(testConfig(), createLogger('silent')), invited.id);
    const mail = (await mongoose.connection.db!.collection<{ _id: unknown; to: string; text: string }>('mail_outbox').findOne({ to: 'ida@a11y.test' }))!;
    ids.mail = String(mail._id);
    ids.activationToken = /\/passord\/ny\/([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    ids.unsubscribe = unsubscribeToken(testConfig().sessionSecret, ola.id);

    browser = await launchBrowser();
  });

  after(async () => {
    for (const context of contexts.values()) await context.close();
    await browser?.close();
    await server?.close();
  });

  /** One signed-in browser context per role, reused by the tests. */
  async function pageAs(role: Role, options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
    const key = options.viewport ? `${role}@${options.viewport.width}` : role;
    let context = contexts.get(key);
    if (!context) {
      context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
      contexts.set(key, context);
      if (role !== 'anonymous') await logIn(await context.newPage(), server.baseUrl, LOGINS[role].email);
    }
    return context.newPage();
  }

  it('the page table covers every GET route of the app that renders HTML', async () => {
    const app = await buildTestApp();
    const routes = getRoutes(app);
    expect(routes.length, 'routes found in the router').to.be.greaterThan(40);
    const covered = new Set([...PAGES.map((p) => p.route), ...Object.keys(NOT_PAGES)]);
    const missing = routes.filter((r) => !covered.has(r));
    expect(missing, 'GET routes with neither an axe check nor a reason').to.deep.equal([]);
    const stale = [...covered].filter((r) => !r.startsWith('(') && !routes.includes(r) && !r.startsWith('/logg-inn/sso'));
    expect(stale, 'routes in the table that the app no longer has').to.deep.equal([]);
  });

  for (const role of ['anonymous', 'staff', 'newcomer', 'leader', 'author', 'municipal', 'system'] as const) {
    it(`axe finds no WCAG 2.1 A/AA violation on the ${role} pages`, async () => {
      const page = await pageAs(role);
      for (const item of PAGES.filter((p) => p.as === role)) {
        const response = await page.goto(`${server.baseUrl}${item.url()}`);
        const status = item.prepare ? await item.prepare(page) : response?.status();
        expect(status, `${item.what}: ${item.url()}`).to.equal(item.status ?? 200);
        expect(await page.locator('h1').count(), `one h1 on ${item.what}`).to.equal(1);
        await expectAccessible(page);
        // The content column starts where the header's does (issue 17), whatever the page's width class.
        const [headerLeft, contentLeft] = await page.evaluate((selectors) =>
          selectors.map((selector) => {
            const el = document.querySelector(selector)!;
            return el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft);
          }),
        ['.site-header .container', 'main > .container, main > article, main > div']);
        expect(Math.abs(contentLeft! - headerLeft!), `content column of ${item.what} lines up with the header`).to.be.lessThan(1);
        // The HTML as the server sent it (or, after a scripted step, as the browser holds it), for the Nu checker below.
        checkedHtml.push({ name: `${item.what} (${item.url()})`, html: item.prepare || !response ? await page.content() : await response.text() });
      }
      await page.close();
    });
  }

  it('the Nu HTML checker (vnu) finds no error on any page type of the table', async () => {
    expect(checkedHtml.length, 'every page of the table was opened by the axe tests above (run the whole file)').to.equal(PAGES.length);
    const errors = await vnuErrors(checkedHtml);
    expect(errors.map((e) => `${e.page}: line ${e.lastLine ?? '?'}: ${e.message} «${(e.extract ?? '').trim()}»`)).to.deep.equal([]);
  });

  it('pages in nynorsk and English say so in the lang attribute and pass axe', async () => {
    const checks: Array<[Role, string, 'nn' | 'en', string]> = [
      ['anonymous', '/logg-inn', 'nn', 'Logg inn'],
      ['anonymous', '/tilgjengelighet', 'en', 'Accessibility statement for Fellesskap'],
      ['anonymous', '/bevis', 'en', 'Verify a certificate'],
      ['staff', `/moduler/${SLUG}/lytte`, 'nn', 'Å lytte'],
      ['staff', '/mine-kurs', 'en', 'My courses'],
      ['leader', `/leder/enheter/${ids.unit}`, 'nn', 'Fullføring i Solsikken barnehage'],
      ['municipal', '/kommune/rapport', 'en', ''],
      ['author', `/forfatter/moduler/${SLUG}`, 'en', ''],
    ];
    for (const [role, url, lang, heading] of checks) {
      const page = await pageAs(role);
      await page.goto(`${server.baseUrl}${url}?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang'), url).to.equal(lang);
      if (heading) expect(await page.locator('h1').textContent(), url).to.contain(heading);
      await expectAccessible(page);
      if (url.startsWith('/moduler/')) {
        // The module is in bokmål: its text says so inside the nynorsk page (WCAG 3.1.2).
        expect(await page.locator('h1').getAttribute('lang')).to.equal('nb');
        expect(await page.locator('.lesson-content [lang="nb"]').first().textContent()).to.contain('rett til å bli hørt');
      }
      // Back to bokmål for the other tests (the choice is kept in a cookie).
      await page.goto(`${server.baseUrl}${url}?lang=nb`);
      expect(await page.locator('html').getAttribute('lang')).to.equal('nb');
      await page.close();
    }
  });

  it('a nynorsk module in the bokmål interface is marked as nynorsk; a bokmål module is not marked again', async () => {
    const page = await pageAs('staff');
    await page.goto(`${server.baseUrl}/moduler/samtalar/?lang=nb`);
    expect(await page.locator('html').getAttribute('lang')).to.equal('nb');
    expect(await page.locator('h1').getAttribute('lang')).to.equal('nn');
    expect(await page.locator('p.lead').getAttribute('lang')).to.equal('nn');
    await page.goto(`${server.baseUrl}/mine-kurs`);
    expect(await page.locator('.course-card h3[lang="nn"]').allTextContents()).to.deep.equal(['Samtalar med barn']);
    await page.goto(`${server.baseUrl}/moduler/samtalar/lytte`);
    expect(await page.locator('h1').getAttribute('lang')).to.equal('nn');
    expect(await page.locator('.lesson-content > div[lang="nn"]').count()).to.be.greaterThan(0);
    await expectAccessible(page);
    await page.goto(`${server.baseUrl}/moduler/${SLUG}/lytte`);
    expect(await page.locator('h1').getAttribute('lang')).to.equal(null);
    expect(await page.locator('.lesson-content [lang]').count()).to.equal(0);
    await page.close();
  });

  it('keyboard only: the skip link comes first and works, and a person logs in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/logg-inn`);

    await page.keyboard.press('Tab');
    const first = await focused(page);
    expect(first?.className, 'first in tab order').to.contain('skip-link');
    expect(first?.visibleFocus).to.equal(true);
    const box = await page.locator('a.skip-link').boundingBox();
    expect(box!.y, 'the skip link is on screen when focused').to.be.at.least(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.inMain, 'after the skip link, Tab continues in the main content').to.equal(true);

    await page.keyboard.press('Shift+Tab');
    await keyboardLogin(page, LOGINS.newcomer.email);
    expect(await page.locator('.user-name').textContent()).to.equal('Kari Nordmann');
    await context.close();
  });

  it('keyboard only: a lesson with every activity kind, and on to the next lessons', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/logg-inn`);
    await keyboardLogin(page, LOGINS.newcomer.email);

    // Mine kurs → the module → start.
    await tabTo(page, (f) => f.inMain && f.tag === 'a' && f.name === 'Testmodul samtaler', 'the assigned module');
    await enterAndWait(page, /\/moduler\/samtaler\/$/);
    await tabTo(page, named('a', 'Start modulen'), 'Start modulen');
    await enterAndWait(page, /\/moduler\/samtaler\/lytte$/);

    // Video: the player, then the transcript (open, reachable), then "watched".
    await tabTo(page, (f) => f.tag === 'video', 'the video player');
    await tabTo(page, (f) => f.tag === 'summary' && f.name === 'Tekstversjon av filmen', 'the transcript');
    expect(await page.locator('details.transcript').getAttribute('open')).to.not.equal(null);
    expect(await page.locator('details.transcript').textContent()).to.contain('Jeg har bygget en hytte.');
    await tabTo(page, named('button', 'Jeg har sett filmen'), 'the watched button');
    await enterAndWait(page, /#act-film-title$/);
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Filmen er merket som sett');

    // Reflection: type, save with the button.
    await tabTo(page, named('textarea', 'Ditt svar'), 'the reflection');
    await page.keyboard.type('Barna forteller mer når jeg venter.');
    await tabTo(page, named('button', 'Lagre svaret'), 'the save button');
    await enterAndWait(page, /#act-tanker-title$/);
    expect(await page.getByLabel('Ditt svar').inputValue()).to.equal('Barna forteller mer når jeg venter.');

    // Reading: mark the lesson as read, then on to the next lesson.
    await tabTo(page, named('button', 'Marker leksjonen som lest'), 'mark as read');
    await enterAndWait(page, /#act-lesson-lytte-title$/);
    await tabTo(page, named('a', /^Neste: Å spørre/), 'the next lesson');
    await enterAndWait(page, /\/moduler\/samtaler\/sporre$/);

    // Quiz: the options come in a per-learner order (issue 16), so Tab reaches whichever is first;
    // the arrow key moves within the radio group to the right one, Space chooses it, then submit.
    await tabTo(page, (f) => f.tag === 'input' && ['Hva skjedde da?', 'Var det gøy?'].includes(f.name), 'the first answer');
    if ((await focused(page))?.name !== 'Hva skjedde da?') await page.keyboard.press('ArrowDown');
    expect((await focused(page))?.name).to.equal('Hva skjedde da?');
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Hva skjedde da?').isChecked()).to.equal(true);
    await tabTo(page, named('button', 'Send svarene'), 'the quiz submit button');
    await enterAndWait(page, /#act-sjekk-title$/);
    expect(await page.locator('.activity-quiz').textContent()).to.contain('Bestått');
    await expectAccessible(page);

    // Workplace task: "tried it", a note, send.
    await tabTo(page, (f) => f.tag === 'input' && f.name === 'Ja, jeg har prøvd det', 'tried it');
    await page.keyboard.press('Space');
    await tabTo(page, named('textarea', 'Hva skjedde?'), 'the note');
    await page.keyboard.type('Barna svarte med hele setninger.');
    await tabTo(page, named('button', 'Send rapporten'), 'send the report');
    await enterAndWait(page, /#act-prov-title$/);
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Rapporten din er lagret.');
    await tabTo(page, named('button', 'Marker leksjonen som lest'), 'mark as read');
    await enterAndWait(page, /#act-lesson-sporre-title$/);

    // The next lesson (the team session, recorded by the leader).
    await tabTo(page, named('a', /^Neste: Sammen/), 'the next lesson');
    await enterAndWait(page, /\/moduler\/samtaler\/sammen$/);
    expect(await page.locator('h1').textContent()).to.equal('Sammen');
    await expectAccessible(page);
    await context.close();
  });

  it('keyboard only: the leader reaches the matrix, sorts it, drills into a person and goes back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/logg-inn`);
    await keyboardLogin(page, LOGINS.leader.email, '/leder');

    // Leaders land on their figures (issue 17); the menu marks where they are.
    expect(await page.locator('.main-nav a[aria-current="page"]').textContent()).to.equal('Ledelse');
    await tabTo(page, (f) => !f.inMain && f.tag === 'a' && f.name === 'Ledelse', 'Ledelse in the menu');
    await tabTo(page, named('a', 'Fullføring i enheten'), 'the dashboard link');
    await enterAndWait(page, `${server.baseUrl}/leder/enheter/${ids.unit}`);

    // The matrix scrolls in its own region, which takes focus so it can be scrolled with the keyboard.
    await tabTo(page, (f) => f.tag === 'div' && f.className.includes('table-wrap') && f.name.startsWith('Status per ansatt og modul'), 'the matrix region');
    expect(await page.evaluate(() => document.activeElement?.querySelector('table.matrix') !== null)).to.equal(true);
    await tabTo(page, (f) => f.tag === 'a' && f.name.startsWith('Testmodul samtaler'), 'the sort link of a module');
    await enterAndWait(page, /sort=samtaler&retning=asc/);
    expect(await page.getByRole('columnheader', { name: /Testmodul samtaler/ }).getAttribute('aria-sort')).to.equal('ascending');

    await tabTo(page, named('a', 'Ola Hansen'), 'a person in the matrix');
    await enterAndWait(page, new RegExp(`/personer/${ids.ola}$`));
    expect(await page.locator('h1').textContent()).to.equal('Fremdriften til Ola Hansen');
    await tabTo(page, named('a', 'Tilbake til Solsikken barnehage'), 'the way back');
    await enterAndWait(page, new RegExp(`/leder/enheter/${ids.unit}(\\?|$)`));
    expect(await page.getByRole('table', { name: /Status per ansatt og modul/ }).count()).to.equal(1);
    await context.close();
  });

  it('reflows at 320 CSS px: no horizontal scrolling on any page type; wide tables scroll in their own focusable region', async () => {
    // Every page type of the table above (the forged-token page is the same error page as the 403).
    for (const item of PAGES.filter((p) => !p.prepare)) {
      const url = item.url();
      const page = await pageAs(item.as, { viewport: { width: 320, height: 640 } });
      await page.goto(`${server.baseUrl}${url}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      if (overflow > 320) {
        // Name the widest elements that stick out, so the failure says what to fix.
        const culprits = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > 321 && ![...el.children].some((c) => c.getBoundingClientRect().right > 321))
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`),
        );
        expect.fail(`page is ${overflow} px wide at 320 px on ${url}: ${culprits.join(', ')}`);
      }
      // A table wider than the screen scrolls inside a container that keyboard users can scroll.
      const tables = await page.evaluate(() =>
        [...document.querySelectorAll('main table')].map((table) => {
          let box = table.parentElement;
          while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
          const scrolls = !!box && box !== document.body && box.scrollWidth > box.clientWidth;
          const reachable = !!box && (box.tabIndex >= 0 || !!box.querySelector('a[href], button, input, select, textarea'));
          return { caption: table.querySelector('caption')?.textContent?.trim() ?? table.className, scrolls, reachable, within: !!box && box.getBoundingClientRect().right <= 320.5 };
        }),
      );
      for (const t of tables) {
        expect(t.within, `table «${t.caption}» stays within the screen on ${url}`).to.equal(true);
        if (t.scrolls) expect(t.reachable, `the scrolling table «${t.caption}» can be reached by keyboard on ${url}`).to.equal(true);
      }
      await expectAccessible(page);
      await page.close();
    }
  });

  it('the trend chart has an accessible name and a data table with the same figures', async () => {
    const page = await pageAs('municipal');
    await page.goto(`${server.baseUrl}/kommune/rapport`);
    const chart = page.locator('svg.trend-chart').first();
    const name = await chart.evaluate((svg) =>
      (svg.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim(),
    );
    expect(await chart.getAttribute('role')).to.equal('img');
    expect(name).to.contain('Andel fullført per måned');
    const dots = await chart.locator('circle.dot title').allTextContents();
    expect(dots.length, 'points in the chart').to.be.greaterThan(0);
    const table = page.getByRole('table', { name: /Tallene bak figuren/ }).first();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
    const figures = new Map(rows.map(([month, , percent]) => [month!, percent!.replace(/\s*%$/, '')]));
    for (const dot of dots) {
      const match = /^(.*): (.*) %$/.exec(dot.trim());
      expect(match, `point «${dot}»`).to.not.equal(null);
      expect(figures.get(match![1]!), `the table's figure for ${match![1]}`).to.equal(match![2]);
    }
    expect(rows.filter(([, , percent]) => /\d/.test(percent ?? '')).length, 'every figure in the table is a point in the chart').to.equal(dots.length);
    await page.close();
  });

  it('the accessibility statement has its sections in bokmål, nynorsk and English, with the feedback contact and the authority', async () => {
    const page = await pageAs('anonymous');
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const text = JSON.parse(readFileSync(path.join(paths.locales, lang, 'pages.json'), 'utf8')).accessibility as Record<string, string>;
      await page.goto(`${server.baseUrl}/tilgjengelighet?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang')).to.equal(lang);
      expect(await page.locator('h1').textContent()).to.equal(text.heading);
      const headings = (await page.locator('main h2').allTextContents()).map((h) => h.trim());
      const expected = Object.entries(text)
        .filter(([key]) => key.endsWith('Heading'))
        .map(([, value]) => value);
      expect(headings).to.deep.equal(expected);
      expect(headings.length).to.be.at.least(6);
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).to.contain('WCAG 2.1');
      // Every known deviation and every way of testing in the language's file is on the page.
      for (const [key, value] of Object.entries(text)) if (/^(limitation|tested)[A-Z]/.test(key) && key !== 'testedHeading') expect(main, key).to.contain(value);
      expect(await page.locator('main a[href="https://www.uutilsynet.no/"]').count(), 'a link to the authority').to.equal(1);
      expect(await page.locator('main time[datetime]').getAttribute('datetime'), 'the date of the statement').to.match(/^\d{4}-\d{2}-\d{2}$/);
      // Without ACCESSIBILITY_CONTACT the statement says where feedback goes instead.
      expect(await page.locator('.feedback-contact').textContent()).to.equal(text.feedbackNone);
      await expectAccessible(page);
    }
    await page.goto(`${server.baseUrl}/tilgjengelighet?lang=nb`);
    await page.close();

    // With ACCESSIBILITY_CONTACT set: a mailto link, or a link to the municipality's form.
    for (const [contact, href] of [
      ['uu@kommune.example', 'mailto:uu@kommune.example'],
      ['https://kommune.example/skjema/uu', 'https://kommune.example/skjema/uu'],
    ]) {
      const res = await request(await buildTestApp({ env: { ACCESSIBILITY_CONTACT: contact! } })).get('/tilgjengelighet');
      expect(res.status).to.equal(200);
      expect(res.text).to.match(new RegExp(`<p class="feedback-contact">[^<]*<a href="${href!.replace(/[.]/g, '\\.')}">`));
    }
  });
});
