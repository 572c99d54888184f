import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../helpers/auth.js';
import mongoose from 'mongoose';
import { requestPasswordReset, UserModel } from '../../src/components/accounts/index.js';
import { DistrictModel } from '../../src/components/organisation/index.js';
import { previewImport } from '../../src/components/imports/index.js';
import { publishFromFolder } from '../../src/components/modules/index.js';
import { paths } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { Mailer } from '../../src/components/mail/index.js';
import { toSessionUser } from '../../src/components/accounts/index.js';
import { assignForUnits, createAssignment } from '../../src/components/assignments/index.js';
import { TeamSessionService } from '../../src/components/teams/index.js';
import { catalogue } from '../../src/components/learning/index.js';
import { NetworkService } from '../../src/components/networks/index.js';
import { unsubscribeToken } from '../../src/components/reminders/index.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';
import { testConfig } from '../helpers/app.js';
import { completeModule, publishFixture } from '../helpers/learning-fixture.js';

import { ROUTES, type Outcome, type Role } from '../helpers/role-matrix.js';

describe('http: role matrix (every route × every role)', function () {
  this.timeout(120_000);
  let app: Express;
  const agents = {} as Record<Role, Agent>;
  const ids: Record<string, string> = {};

  before(async () => {
    await clearDatabase();
    app = await buildTestApp();
    ids.unitA = await createUnit('Enhet A', 'barnehage');
    ids.unitB = await createUnit('Enhet B', 'skole');
    const staff = await createUser({ memberships: [{ unitId: ids.unitA, role: 'ansatt' }] });
    ids.staff = staff.id;
    const leaderA = await createUser({ memberships: [{ unitId: ids.unitA, role: 'leder' }] });
    const leaderB = await createUser({ memberships: [{ unitId: ids.unitB, role: 'leder' }] });
    const author = await createUser({ roles: ['author'] });
    const admin = await createUser({ roles: ['municipal-admin'] });
    // Administration targets that the admin routes may change without touching the agents above.
    ids.spareUnit = await createUnit('Enhet C', 'sfo');
    ids.district = String((await DistrictModel.findOne({ name: 'Testbydel' }).lean())?._id);
    const target = await createUser({ memberships: [{ unitId: ids.unitA, role: 'ansatt' }] });
    ids.target = target.id;
    ids.targetMembership = String((await UserModel.findById(target.id).lean())?.memberships[0]?._id);
    const staffFile = Buffer.from(`navn;epost;enhet\nMatrise Person;matrise@matrix.example;${ids.unitA}\n`);
    const preview = await previewImport({ actor: 'cli', kind: 'staff', fileName: 'matrise.csv', bytes: staffFile });
    ids.importId = preview.ok ? preview.id : '';
    // A real reset link (and the outbox mail that carries it) for the password and outbox routes.
    await requestPasswordReset(new Mailer(testConfig(), createLogger('silent')), { email: staff.email, lang: 'nb' });
    const mail = await mongoose.connection.db!.collection<{ _id: unknown; text: string }>('mail_outbox').findOne({ to: staff.email });
    ids.outboxId = String(mail?._id);
    ids.resetToken = /\/passord\/ny\/([\w-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
    const [published] = await publishFromFolder(`${paths.root}/test/fixtures/modules-valid`, { by: { id: null, name: 'matrise' } });
    ids.module = published!.slug;
    ids.assetHash = (await mongoose.connection.db!.collection<{ _id: string; contentType: string }>('module_assets').findOne({ contentType: 'image/png' }))!._id;
    // The staff member has completed the module, so there is a certificate to ask for.
    ids.certificate = await completeModule(staff.id, ids.unitA, `${ids.module}@1.0`, 'matrix');
    // Leaders' pages: a module with a team session, two assignments of unit A (one to withdraw), a
    // municipal assignment to withdraw, a team session held today, and the staff member's unsubscribe link.
    await publishFixture();
    const leaderAUser = toSessionUser((await UserModel.findById(leaderA.id).lean())!);
    const adminUser = toSessionUser((await UserModel.findById(admin.id).lean())!);
    const deadline = new Date(todayDateOnly().getTime() + 30 * 86_400_000);
    ids.assignment = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: ids.unitA }, deadline, createdBy: { id: leaderA.id, name: 'Leder A' } });
    ids.spareAssignment = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'people', userIds: [staff.id] }, deadline, createdBy: { id: leaderA.id, name: 'Leder A' } }, { unitId: ids.unitA });
    await assignForUnits(adminUser, { moduleSlugs: ['samtaler'], unitTypes: ['skole'], districtIds: [], deadline: isoDate(deadline) });
    ids.batch = (await mongoose.connection.db!.collection<{ _id: string; batch: string }>('assignments').findOne({ scope: 'municipal' }))!.batch;
    const teams = new TeamSessionService({ recordTeamAttendance: () => Promise.reject(new Error('not used')), catalogue: () => catalogue() }, createLogger('silent'));
    ids.session = await teams.plan(leaderAUser, ids.unitA, { activity: 'samtaler/team', date: isoDate(todayDateOnly()), time: '00:01', place: 'Personalrommet', facilitator: 'Leder A' });
    ids.unsubscribe = unsubscribeToken(testConfig().sessionSecret, staff.id);
    // A learning network of units A and B coordinated by leader B, with the staff member appointed
    // from unit A and a gathering today; and a spare network to close.
    const networks = new NetworkService({ recordGatheringAttendance: () => Promise.reject(new Error('not used')), catalogue: () => catalogue() }, createLogger('silent'));
    const leaderBUser = toSessionUser((await UserModel.findById(leaderB.id).lean())!);
    const network = { name: 'Matrisenettverket', themes: '', from: isoDate(todayDateOnly()), to: '', units: [ids.unitA, ids.unitB], coordinators: leaderB.email };
    ids.network = await networks.create(adminUser, network);
    ids.spareNetwork = await networks.create(adminUser, { ...network, name: 'Reservenettverket' });
    await networks.setParticipants(leaderAUser, ids.unitA, ids.network, [staff.id]);
    ids.gathering = await networks.planGathering(leaderBUser, ids.network, { title: 'Samling', date: isoDate(todayDateOnly()), time: '00:01', place: 'Rådhuset', agenda: '', activity: '' });
    agents.anonymous = request.agent(app);
    agents.staff = await signIn(app, staff.email);
    agents.leaderA = await signIn(app, leaderA.email);
    agents.leaderB = await signIn(app, leaderB.email);
    agents.author = await signIn(app, author.email);
    agents.municipalAdmin = await signIn(app, admin.email);
  });

  async function tokenFor(agent: Agent): Promise<string> {
    const page = await agent.get('/tilgjengelighet');
    return /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? /name="_csrf" value="([^"]*)"/.exec((await agent.get('/logg-inn')).text)?.[1] ?? '';
  }

  function classify(res: request.Response): Outcome | `unexpected ${number}` {
    if (res.status === 403) return 'deny';
    if (res.status === 401) return 'login';
    if (res.status >= 300 && res.status < 400) return /^\/logg-inn/.test(String(res.headers.location)) ? 'login' : 'ok';
    if (res.status < 300 || [400, 409, 422].includes(res.status)) return 'ok';
    return `unexpected ${res.status}`;
  }

  /** Body values like ':batch' are filled in from the fixture, as paths are. */
  function fill(body: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, /^:\w+$/.test(v) ? (ids[v.slice(1)] ?? v) : v]));
  }

  for (const route of ROUTES) {
    for (const role of Object.keys(route.expect) as Role[]) {
      it(`${route.method.toUpperCase()} ${route.path} as ${role}: ${route.expect[role]}`, async () => {
        const path = route.path.replace(/:(\w+)/g, (_m, key: string) => ids[key] ?? `:${key}`);
        const agent = agents[role];
        // POST /logg-ut would end the shared session: use a fresh login for it.
        const actor = route.path === '/logg-ut' && role !== 'anonymous' ? await signIn(app, (await createUser()).email) : agent;
        const res =
          route.method === 'get'
            ? await actor.get(path)
            : await actor.post(path).type('form').send({ _csrf: await tokenFor(actor), ...fill(route.body ?? {}) });
        expect(classify(res), `${route.method.toUpperCase()} ${path} as ${role} → ${res.status} ${res.headers.location ?? ''}`).to.equal(route.expect[role]);
      });
    }
  }
});

