import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, TEST_PASSWORD, type Agent } from '../helpers/auth.js';
import { UserModel, ANONYMISED_NAME } from '../../src/components/accounts/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../../src/components/people/index.js';
import { FollowUpModel, followUpId, learningVersion, ProgressModel, ProgressService, progressId } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';

/** Memberships per unit, counted the way the reports will: an aggregate over every person. */
async function membershipsPerUnit(): Promise<Record<string, number>> {
  const rows = await UserModel.aggregate<{ _id: unknown; n: number }>([
    { $unwind: '$memberships' },
    { $group: { _id: '$memberships.unitId', n: { $sum: 1 } } },
  ]);
  return Object.fromEntries(rows.map((r) => [String(r._id), r.n]).sort());
}

describe('http: privacy (my data, anonymisation)', () => {
  let app: Express;
  let unitA: string;
  let unitB: string;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    unitA = await createUnit('Solsikken barnehage', 'barnehage');
    unitB = await createUnit('Nordbyen skole', 'skole');
  });

  describe('my data', () => {
    it('the page shows my units; the download is one JSON file with profile, memberships and registered sources, without secrets', async () => {
      const me = await createUser({ name: 'Kari Nordmann', email: 'kari@test.example', memberships: [{ unitId: unitA, role: 'leder' }] });
      const other = await createUser({ name: 'Ola Hansen' });
      const seen: string[] = [];
      const unregister = registerPersonalDataSource('testkilde', async (personId) => {
        seen.push(personId);
        return { reflections: [`skrevet av ${personId}`] };
      });
      try {
        const agent = await signIn(app, me.email);
        const page = await agent.get('/mine-data').expect(200);
        expect(page.text).to.contain('Kari Nordmann').and.to.contain('Solsikken barnehage').and.to.contain('/mine-data/last-ned');

        const res = await agent.get('/mine-data/last-ned').expect(200);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.headers['content-disposition']).to.match(/^attachment; filename="?fellesskap-mine-data\.json"?$/);
        expect(res.headers['cache-control']).to.equal('no-store');
        const data = JSON.parse(res.text);
        expect(data.format).to.equal('fellesskap-personal-data/1');
        expect(data.profile).to.include({ id: me.id, name: 'Kari Nordmann', email: 'kari@test.example', hasPassword: true });
        expect(data.memberships).to.deep.equal([{ unitId: unitA, unitName: 'Solsikken barnehage', role: 'leder', startDate: '2024-08-01', endDate: null }]);
        expect(data.testkilde).to.deep.equal({ reflections: [`skrevet av ${me.id}`] });
        expect(seen).to.deep.equal([me.id]);
        expect(res.text).not.to.contain('passwordHash').and.not.to.contain('$argon2').and.not.to.contain(other.id);
      } finally {
        unregister();
      }
    });

    it('reserved names cannot be registered as a source', () => {
      expect(() => registerPersonalDataSource('profile', async () => ({}))).to.throw(/reserved/);
    });
  });

  describe('anonymisation', () => {
    let system: Agent;

    beforeEach(async () => {
      const sys = await createUser({ roles: ['system-admin'] });
      system = await signIn(app, sys.email);
    });

    async function anonymise(agent: Agent, personId: string, body: Record<string, string> = { confirm: 'yes' }) {
      return agent.post(`/admin/personer/${personId}/anonymiser`).type('form').send({ _csrf: await csrfToken(agent, '/mine-data'), ...body });
    }

    async function leaver() {
      const p = await createUser({ name: 'Siri Dahl', email: 'siri@test.example', memberships: [{ unitId: unitA, role: 'leder' }, { unitId: unitB, role: 'ansatt' }] });
      await UserModel.updateOne(
        { _id: p.id },
        { $set: { externalId: 'entra-siri', roles: ['author'], status: 'deactivated', lastLoginAt: new Date(), 'memberships.0.endDate': new Date('2025-06-30') } },
      );
      return p;
    }

    it('removes name, e-mail, ids and password; keeps memberships (unit and dates) so counts per unit are unchanged; runs the registered anonymisers', async () => {
      const siri = await leaver();
      await createUser({ memberships: [{ unitId: unitA, role: 'ansatt' }] });
      const before = await membershipsPerUnit();
      const original = (await UserModel.findById(siri.id).lean())!;
      const wiped: string[] = [];
      const unregister = registerAnonymiser('testkilde', async (personId) => {
        wiped.push(personId);
      });
      try {
        const res = await anonymise(system, siri.id);
        expect(res.status).to.equal(303);
      } finally {
        unregister();
      }

      expect(wiped).to.deep.equal([siri.id]);
      const after = (await UserModel.findById(siri.id).lean())!;
      expect(after).to.include({ name: ANONYMISED_NAME, status: 'anonymised', externalId: null, passwordHash: null, lastLoginAt: null });
      expect(after.email).to.equal(`anonymisert-${siri.id}`);
      expect(after.email).not.to.contain('@');
      expect(after.roles).to.deep.equal([]);
      expect(after.memberships.map((m) => [String(m._id), String(m.unitId), m.startDate.getTime(), m.role])).to.deep.equal(
        original.memberships.map((m) => [String(m._id), String(m.unitId), m.startDate.getTime(), 'ansatt']),
      );
      expect(after.memberships[0]!.endDate?.toISOString()).to.equal('2025-06-30T00:00:00.000Z');
      expect(after.memberships.every((m) => m.endDate instanceof Date), 'no membership stays open').to.equal(true);
      expect(await membershipsPerUnit()).to.deep.equal(before);

      const json = JSON.stringify(after);
      for (const identifying of ['Siri', 'siri@test.example', 'entra-siri', '$argon2']) expect(json).not.to.contain(identifying);
      const search = await system.get('/admin/personer?q=siri').expect(200);
      expect(search.text).not.to.contain(`/admin/personer/${siri.id}`);
    });

    it('an active account: refused until it is deactivated; without the confirmation box: refused; nothing changed', async () => {
      const active = await createUser({ name: 'Aktiv Person', memberships: [{ unitId: unitA, role: 'ansatt' }] });
      const res = await anonymise(system, active.id);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Deaktiver kontoen før du anonymiserer.');
      const siri = await leaver();
      const unconfirmed = await anonymise(system, siri.id, {});
      expect(unconfirmed.status).to.equal(400);
      expect(unconfirmed.text).to.contain('Kryss av for at du forstår at anonymisering ikke kan angres.');
      expect((await UserModel.findById(active.id).lean())?.name).to.equal('Aktiv Person');
      expect((await UserModel.findById(siri.id).lean())?.name).to.equal('Siri Dahl');
    });

    it('a municipal admin may not anonymise: 403, nothing changed', async () => {
      const siri = await leaver();
      const admin = await createUser({ roles: ['municipal-admin'] });
      const agent = await signIn(app, admin.email);
      expect((await anonymise(agent, siri.id)).status).to.equal(403);
      expect((await UserModel.findById(siri.id).lean())?.name).to.equal('Siri Dahl');
    });

    it('an anonymiser that fails: the account is left as it was; running again completes it', async () => {
      const siri = await leaver();
      let fail = true;
      const unregister = registerAnonymiser('testkilde', async () => {
        if (fail) throw new Error('learning store down');
      });
      try {
        expect((await anonymise(system, siri.id)).status).to.equal(500);
        expect((await UserModel.findById(siri.id).lean())).to.include({ name: 'Siri Dahl', status: 'deactivated' });
        fail = false;
        expect((await anonymise(system, siri.id)).status).to.equal(303);
        expect((await UserModel.findById(siri.id).lean())).to.include({ name: ANONYMISED_NAME, status: 'anonymised' });
      } finally {
        unregister();
      }
    });

    // That the answers are in the download of «Mine data» is shown in effect-measurement.test.ts.
    it('self-assessment and evaluation answers: anonymisation blanks them and keeps when they were given', async () => {
      resetLearningCaches();
      await publishFixture({ effect: true });
      const siri = await leaver();
      const version = (await learningVersion('samtaler@1.0'))!;
      const progress = new ProgressService(createLogger('silent'));
      const act = (activityId: string, action: string, input: unknown) =>
        progress.act({ userId: siri.id, version, activityId, action, input, actionId: `privacy-${activityId}`, unitIds: [unitA] });
      await act('kartlegging-for', 'assess', { ratings: { u1: 1, u2: 2, u3: 3, u4: 4 } });
      await act('vurdering', 'evaluate', { usefulness: 2, relevance: 5, recommend: false, suggestion: 'Mer om Solsikken' });
      type Stored = { activities: Record<string, Record<string, unknown>> };
      const before = await ProgressModel.findById(progressId(siri.id, 'samtaler', 1)).lean<Stored>();
      expect(before!.activities['kartlegging-for']!.ratings).to.deep.equal({ u1: 1, u2: 2, u3: 3, u4: 4 });
      expect(before!.activities.vurdering).to.include({ usefulness: 2, relevance: 5, recommend: false, suggestion: 'Mer om Solsikken' });

      expect((await anonymise(system, siri.id)).status).to.equal(303);

      const doc = await ProgressModel.findById(progressId(siri.id, 'samtaler', 1)).lean<Stored>();
      expect(doc!.activities['kartlegging-for']!.ratings).to.deep.equal({});
      expect(doc!.activities['kartlegging-for']!.answeredAt).to.be.a('string');
      expect(doc!.activities.vurdering).to.include({ usefulness: null, relevance: null, recommend: null, suggestion: '' });
      expect(doc!.activities.vurdering!.evaluatedAt).to.be.a('string');
    });

    // That the follow-up answer is in the download of «Mine data» is shown in follow-up.test.ts.
    it('three-month follow-up answers: anonymisation removes the text and the link to the person, keeps the scale (counts remain)', async () => {
      const siri = await leaver();
      const other = await createUser({ name: 'Ola Hansen' });
      const answeredAt = new Date('2026-03-01T10:00:00Z');
      const answer = (userId: string, slug: string, scale: number, text: string) => FollowUpModel.create({ _id: followUpId(userId, slug), userId, moduleSlug: slug, versionId: `${slug}@1.0`, scale, text, answeredAt });
      await answer(siri.id, 'samtaler', 4, 'Jeg har endret samlingsstunden på Solsikken');
      await answer(siri.id, 'medvirkning', 2, '');
      await answer(other.id, 'samtaler', 5, 'Olas egne ord');

      expect((await anonymise(system, siri.id)).status).to.equal(303);

      const docs = await FollowUpModel.find({}).sort({ moduleSlug: 1, scale: 1 }).lean<Array<{ _id: string; userId: string | null; moduleSlug: string; scale: number; text: string; answeredAt: Date }>>();
      expect(docs.map((d) => [d.moduleSlug, d.scale, d.userId, d.text])).to.deep.equal([
        ['medvirkning', 2, null, ''],
        ['samtaler', 4, null, ''],
        ['samtaler', 5, other.id, 'Olas egne ord'],
      ]);
      for (const d of docs.filter((x) => x.userId === null)) {
        expect(d._id).to.match(/^anon:/).and.to.not.contain(siri.id);
        expect(d.answeredAt.toISOString()).to.equal(answeredAt.toISOString());
      }
      expect(JSON.stringify(docs)).to.not.contain(siri.id).and.to.not.contain('Solsikken');
      // Idempotent: a second run changes nothing.
      expect((await anonymise(system, siri.id)).status).to.be.oneOf([303, 400, 409]);
      expect(await FollowUpModel.countDocuments({})).to.equal(3);
    });

    it('after anonymisation the old e-mail and password no longer log in', async () => {
      const siri = await leaver();
      expect((await anonymise(system, siri.id)).status).to.equal(303);
      const agent = request.agent(app);
      const token = await csrfToken(agent, '/logg-inn');
      const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email: 'siri@test.example', password: TEST_PASSWORD });
      expect(res.status).to.equal(401);
    });
  });
});
