import { expect } from 'chai';
import mongoose from 'mongoose';
import { twoUnits, type TwoUnits } from './fixture.js';
import { createUser, csrfToken, signIn, type Agent } from '../../helpers/auth.js';
import { declaredRoutes } from '../../helpers/route-table.js';
import {
  IDENTITY_FIELDS,
  IdentityWriteOutsideServiceError,
  UserModel,
  observeIdentityWrites,
  setIdentityGuardMode,
  toSessionUser,
  type IdentityWrite,
} from '../../../src/components/accounts/index.js';
import { withinIdentityService } from '../../../src/components/accounts/identity-guard.js';
import { previewImport } from '../../../src/components/imports/index.js';
import { sourceFiles } from '../../helpers/source-files.js';

/**
 * "Identity is changed in one guarded place", as a class. The User schema refuses writes of the
 * identity fields from outside the identity service (first block: every field by every write path).
 * Then every state-changing route of the endpoint manifest is called for real, as a person who passes
 * every policy, with bodies that make the identity routes actually change someone: no route may write
 * an identity field except through the service, and the routes known to change identity must be seen
 * doing it through the service (so the walk cannot pass by reaching nothing).
 */

describe('adversarial: identity fields are written only through the identity service', function () {
  this.timeout(300_000);
  let previousMode: 'enforce' | 'observe';

  before(() => {
    previousMode = setIdentityGuardMode('enforce');
  });
  after(() => {
    setIdentityGuardMode(previousMode);
  });

  describe('the schema guard, for every identity field and every write path', () => {
    let id: mongoose.Types.ObjectId;
    before(async () => {
      id = (await withinIdentityService('test', () => UserModel.create({ email: `vakt-${Date.now()}@test.example`, name: 'Vakt Test' })))._id;
    });

    const sample: Record<(typeof IDENTITY_FIELDS)[number], unknown> = {
      email: 'ny@test.example',
      externalId: 'idp-ny',
      roles: ['system-admin'],
      memberships: [{ unitId: new mongoose.Types.ObjectId(), role: 'leder', startDate: new Date() }],
    };

    for (const field of IDENTITY_FIELDS) {
      it(`${field}: refused outside the service by create, save, updateOne, updateMany, findOneAndUpdate, replaceOne, insertMany and bulkWrite`, async () => {
        const attempts: Array<[string, () => Promise<unknown>]> = [
          ['create', () => UserModel.create({ email: `x-${field}@test.example`, name: 'X', [field]: sample[field] })],
          ['save', async () => {
            const doc = (await UserModel.findById(id))!;
            doc.set(field, sample[field]);
            return doc.save();
          }],
          ['updateOne $set', () => UserModel.updateOne({ _id: id }, { $set: { [field]: sample[field] } })],
          ['updateOne dotted', () => UserModel.updateOne({ _id: id }, { $set: { [`${field}.0`]: 'x' } })],
          ['updateOne $push', () => UserModel.updateOne({ _id: id }, { $push: { [field]: 'x' } })],
          ['updateOne $unset', () => UserModel.updateOne({ _id: id }, { $unset: { [field]: 1 } })],
          ['updateMany', () => UserModel.updateMany({ _id: id }, { $set: { [field]: sample[field] } })],
          ['findOneAndUpdate', () => UserModel.findOneAndUpdate({ _id: id }, { $set: { [field]: sample[field] } })],
          ['findOneAndUpdate $rename', () => UserModel.findOneAndUpdate({ _id: id }, { $rename: { name: field } })],
          ['replaceOne', () => UserModel.replaceOne({ _id: id }, { name: 'Vakt Test', [field]: sample[field] })],
          ['insertMany', () => UserModel.insertMany([{ email: `y-${field}@test.example`, name: 'Y', [field]: sample[field] }])],
          ['bulkWrite', () => UserModel.bulkWrite([{ updateOne: { filter: { _id: id }, update: { $set: { [field]: sample[field] } } } }])],
        ];
        const before = JSON.stringify(await UserModel.findById(id).lean());
        const let_through: string[] = [];
        for (const [label, attempt] of attempts) {
          const error = await attempt().then(() => null, (err: unknown) => err);
          if (!(error instanceof IdentityWriteOutsideServiceError)) let_through.push(`${label}: ${String(error)}`);
        }
        expect(let_through).to.deep.equal([]);
        expect(JSON.stringify(await UserModel.findById(id).lean())).to.equal(before);
      });
    }

    it('other fields (status, last login, digest choice) are written freely, and the service writes identity', async () => {
      await UserModel.updateOne({ _id: id }, { $set: { lastLoginAt: new Date(), digestOptOut: true } });
      await withinIdentityService('test', () => UserModel.updateOne({ _id: id }, { $set: { roles: ['author'] } }));
      expect((await UserModel.findById(id).lean())!.roles).to.deep.equal(['author']);
    });

    it('no code in src/ reaches the users collection around mongoose (where the guard could not see it)', () => {
      const offenders = sourceFiles().filter(({ text }) => /UserModel\.collection|collection\(['"]users['"]\)|collection<[^>]*>\(['"]users['"]\)/.test(text));
      expect(offenders.map((f) => f.file)).to.deep.equal([]);
    });
  });

  describe('every state-changing route, called for real', () => {
    let fx: TwoUnits;
    let boss: Agent;
    const seen: Array<IdentityWrite & { route: string }> = [];
    let current = '';
    let stop: () => void;

    before(async () => {
      fx = await twoUnits();
      stop = observeIdentityWrites((w) => seen.push({ ...w, route: current }));
      const bossUser = await createUser({ name: 'Alt-mulig Admin', roles: ['system-admin', 'municipal-admin', 'author'], memberships: [{ unitId: fx.ids.unitA, role: 'leder' }] });
      boss = await signIn(fx.app, bossUser.email);
    });
    after(() => stop());

    it('no route writes an identity field except through the service, and the identity routes do write through it', async () => {
      const leaver = await createUser({ name: 'Sluttet Person', memberships: [{ unitId: fx.ids.unitA, role: 'ansatt' }] });
      await UserModel.updateOne({ _id: leaver.id }, { $set: { status: 'deactivated' } });
      const bossDoc = (await UserModel.findOne({ name: 'Alt-mulig Admin' }).lean())!;
      const staffCsv = Buffer.from(`navn;epost;enhet;rolle\nNy Importert;ny.importert@test.example;${fx.ids.unitA};ansatt\n`, 'utf8');
      const preview = await previewImport({ actor: toSessionUser(bossDoc), kind: 'staff', fileName: 'ny.csv', bytes: staffCsv });
      if (!preview.ok) throw new Error('preview failed');
      const importDoc = await mongoose.connection.db!.collection('imports').findOne({ _id: preview.id as never });
      const staffA = (await UserModel.findById(fx.ids.staffA).lean())!;
      // A learning network, so inviting a partner without an account creates one (through the service).
      const networkCsrf = await csrfToken(boss, '/admin/nettverk');
      const network = await boss.post('/admin/nettverk').type('form').send({ _csrf: networkCsrf, name: 'Rutevandringen', themes: '', from: '2026-01-01', to: '', units: [fx.ids.unitA, fx.ids.unitB], coordinators: bossDoc.email });
      expect(network.status, network.text.slice(0, 500)).to.equal(303);

      const params: Record<string, string> = {
        unitId: fx.ids.unitA,
        personId: fx.ids.staffA,
        membershipId: String(staffA.memberships[0]!._id),
        assignmentId: fx.ids.assignmentA,
        sessionId: fx.ids.sessionA,
        slug: fx.ids.module,
        importId: preview.id,
        token: 'a'.repeat(43),
        networkId: /\/admin\/nettverk\/([0-9a-f-]{36})$/.exec(String(network.headers.location))![1]!,
      };
      const bodies: Array<[RegExp, (p: string) => Record<string, string | string[]>]> = [
        [/\/medlemskap$/, () => ({ unitId: fx.ids.unitB, role: 'ansatt', startDate: '2031-01-01' })],
        [/\/avslutt$/, () => ({ endDate: '2030-12-31' })],
        [/\/roller$/, () => ({ roles: ['author'] })],
        [/\/ekstern-id$/, () => ({ externalId: 'idp-rutevandring' })],
        [/\/anonymiser$/, () => ({ confirm: 'yes' })],
        [/\/bekreft$/, () => ({ planHash: String(importDoc!.planHash), validOnly: 'yes' })],
        [/\/partnere$/, () => ({ email: 'rute.partner@uni.example', name: 'Rute Partner' })],
      ];
      const routes = declaredRoutes(fx.app)
        .flatMap((r) => (r.methods.includes('_all') ? ['post'] : r.methods).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m as 'post', path: r.path })))
        // Logging out last, so the walk keeps its session.
        // and inviting a partner first, before the walk closes or merges the network.
        .sort((a, b) => Number(a.path === '/logg-ut') - Number(b.path === '/logg-ut') || Number(b.path.endsWith('/partnere')) - Number(a.path.endsWith('/partnere')));
      const problems: string[] = [];
      for (const route of routes) {
        const filled = route.path.replace(/:(\w+)/g, (_m, name: string) => {
          if (name === 'personId' && route.path.endsWith('/anonymiser')) return leaver.id;
          return encodeURIComponent(params[name] ?? String(new mongoose.Types.ObjectId()));
        });
        const body = bodies.find(([re]) => re.test(route.path))?.[1](filled) ?? {};
        current = `${route.method.toUpperCase()} ${route.path}`;
        const csrf = await csrfToken(boss, '/admin/personer');
        const res = await boss[route.method](filled).type('form').send({ _csrf: csrf, ...body });
        if (res.status >= 500) problems.push(`${current}: ${res.status}`);
      }
      current = '';
      expect(problems, 'server errors (an identity write outside the service is one)').to.deep.equal([]);
      expect(seen.filter((w) => w.via === null).map((w) => `${w.route}: ${w.operation} ${w.fields.join(',')}`)).to.deep.equal([]);
      const writers = new Set(seen.map((w) => w.route));
      for (const expected of [
        'POST /admin/personer/:personId/medlemskap',
        'POST /admin/personer/:personId/medlemskap/:membershipId/avslutt',
        'POST /admin/personer/:personId/roller',
        'POST /admin/personer/:personId/ekstern-id',
        'POST /admin/personer/:personId/anonymiser',
        'POST /admin/import/:importId/bekreft',
        'POST /admin/nettverk/:networkId/partnere',
      ]) {
        expect([...writers], 'routes seen writing identity').to.include(expected);
      }
    });
  });
});
