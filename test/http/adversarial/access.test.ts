import { expect } from 'chai';
import type request from 'supertest';
import { Types } from 'mongoose';
import { collection, SECRET_NAME, SECRET_PLACE, tokenFor, twoUnits, type TwoUnits } from './fixture.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';

/**
 * Object-level attacks: real ids of another unit or person, guessed and forged ids, and ids of the
 * wrong kind, in URLs and in form bodies. Every case: refused (403/404, or a 400 for a form that names
 * someone it may not), never a 500, never the foreign person's name in the body, nothing stored.
 */
describe('http adversarial: access with foreign, forged and malformed ids', function () {
  this.timeout(120_000);
  let fx: TwoUnits;

  before(async () => {
    fx = await twoUnits();
  });

  function refused(res: request.Response, allowed = [403, 404]): void {
    const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
    expect(allowed, `${req?.method} ${req?.path} → ${res.status}`).to.include(res.status);
    expect(res.text ?? '').not.to.include(SECRET_NAME);
    expect(res.text ?? '').not.to.include(SECRET_PLACE);
  }

  async function post(agent: Agent, path: string, body: Record<string, string | string[]> = {}): Promise<request.Response> {
    const csrf = await tokenFor(agent);
    return agent.post(path).type('form').send({ _csrf: csrf, ...body });
  }

  describe('leader of unit A asking for unit B', () => {
    it('reports, unit B in the URL: every page and export refused without B names', async () => {
      const { unitB, staffB } = fx.ids;
      for (const path of [`/leder/enheter/${unitB}`, `/leder/enheter/${unitB}/eksport.csv`, `/leder/enheter/${unitB}/eksport.xlsx`, `/leder/enheter/${unitB}/utskrift`, `/leder/enheter/${unitB}/personer/${staffB}`, `/leder/${unitB}/tildelinger`, `/leder/${unitB}/teammoter`, `/leder/${unitB}/paminnelser`, `/leder/${unitB}/teammoter/${fx.ids.sessionB}`, `/leder/${unitB}/teammoter/${fx.ids.sessionB}/guide`]) {
        refused(await fx.agents.leaderA.get(path));
      }
    });

    it('leader of A who is only staff in B: B dashboard, exports, drill-down and leader pages refused', async () => {
      const both = await createUser({ name: 'Dobbel Rolle', memberships: [{ unitId: fx.ids.unitA, role: 'leder' }, { unitId: fx.ids.unitB, role: 'ansatt' }] });
      const agent = await signIn(fx.app, both.email);
      const { unitB, staffB, assignmentB, sessionB } = fx.ids;
      for (const path of [`/leder/enheter/${unitB}`, `/leder/enheter/${unitB}/eksport.csv`, `/leder/enheter/${unitB}/personer/${staffB}`, `/leder/${unitB}/tildelinger`, `/leder/${unitB}/teammoter/${sessionB}`]) {
        refused(await agent.get(path), [403]);
      }
      const before = await collection('assignments').findOne({ _id: assignmentB as never });
      refused(await post(agent, `/leder/${unitB}/tildelinger/${assignmentB}/trekk-tilbake`), [403]);
      expect(await collection('assignments').findOne({ _id: assignmentB as never })).to.deep.equal(before);
    });

    it('person drill-down, own unit in the URL and B person id: refused without the name', async () => {
      refused(await fx.agents.leaderA.get(`/leder/enheter/${fx.ids.unitA}/personer/${fx.ids.staffB}`));
    });

    it('team session of unit B under unit A: refused, guide and place not shown', async () => {
      refused(await fx.agents.leaderA.get(`/leder/${fx.ids.unitA}/teammoter/${fx.ids.sessionB}`));
      refused(await fx.agents.leaderA.get(`/leder/${fx.ids.unitA}/teammoter/${fx.ids.sessionB}/guide`));
    });

    it('assign to a person of unit B through unit A form: refused, nothing assigned to B person', async () => {
      const before = await collection('assignments').countDocuments();
      const deadline = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      const res = await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/tildelinger`, { moduleSlug: 'samtaler', target: 'people', userIds: [fx.ids.staffB], deadline });
      refused(res, [400, 403, 404]);
      expect(await collection('assignments').countDocuments()).to.equal(before);
      expect(await collection('assignments').countDocuments({ 'target.userIds': fx.ids.staffB, unitId: fx.ids.unitA })).to.equal(0);
    });

    it('withdraw and move deadline of unit B assignment through unit A: refused, assignment unchanged', async () => {
      const before = await collection('assignments').findOne({ _id: fx.ids.assignmentB as never });
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/tildelinger/${fx.ids.assignmentB}/trekk-tilbake`), [403, 404]);
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/tildelinger/${fx.ids.assignmentB}/frist`, { deadline: '2099-01-01' }), [400, 403, 404]);
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitB}/tildelinger/${fx.ids.assignmentB}/trekk-tilbake`), [403]);
      expect(await collection('assignments').findOne({ _id: fx.ids.assignmentB as never })).to.deep.equal(before);
    });

    it('attendance for unit A session ticking a person of unit B: B person gets no attendance and no progress', async () => {
      const progressBefore = await collection('progress').countDocuments({ _id: { $regex: `^${fx.ids.staffB}:samtaler@` } as never });
      const res = await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/teammoter/${fx.ids.sessionA}/oppmote`, { present: [fx.ids.staffB, fx.ids.staffA] });
      expect(res.status, res.text.slice(0, 300)).to.be.oneOf([303, 400]);
      const session = await collection('team_sessions').findOne({ _id: fx.ids.sessionA as never });
      const attendance = session?.attendance as { present: string[]; roster: Array<{ id: string }> } | null;
      expect(attendance?.present ?? []).not.to.include(fx.ids.staffB);
      expect((attendance?.roster ?? []).map((r) => r.id)).not.to.include(fx.ids.staffB);
      expect(await collection('progress').countDocuments({ _id: { $regex: `^${fx.ids.staffB}:samtaler@` } as never })).to.equal(progressBefore);
    });

    it('attendance or cancel on unit B session through unit A: refused, session B unchanged', async () => {
      const before = await collection('team_sessions').findOne({ _id: fx.ids.sessionB as never });
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/teammoter/${fx.ids.sessionB}/oppmote`, { present: [fx.ids.staffB] }));
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/teammoter/${fx.ids.sessionB}/avlys`));
      expect(await collection('team_sessions').findOne({ _id: fx.ids.sessionB as never })).to.deep.equal(before);
    });

    it('reminder to a person of unit B through unit A assignment: refused, no mail to B person', async () => {
      const res = await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/paminnelser/${fx.ids.assignmentA}/${fx.ids.staffB}`);
      refused(res, [400, 403, 404]);
      refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/paminnelser/${fx.ids.assignmentB}/${fx.ids.staffB}`), [400, 403, 404]);
      expect(await collection('mail_outbox').countDocuments({ to: fx.emails.staffB })).to.equal(0);
    });
  });

  describe('staff asking for someone else', () => {
    it('certificate PDF of another person by its real code: refused, no PDF', async () => {
      const res = await fx.agents.staffA.get(`/mine-kurs/kursbevis/${fx.ids.certificateB}.pdf`);
      refused(res);
      expect(String(res.headers['content-type'])).not.to.include('pdf');
    });

    it('certificate PDF by guessed codes of the right shape: all 404, never a PDF or 500', async () => {
      const own = fx.ids.certificateA;
      const guesses = [own.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), own.toLowerCase(), 'AAAA-AAAA-AAAA', '0000-0000-0000', `${own}0`, own.replace(/-/g, '')];
      for (const guess of guesses) {
        const res = await fx.agents.staffA.get(`/mine-kurs/kursbevis/${encodeURIComponent(guess)}.pdf`);
        // Case and dashes are normalised, so those spellings are the person's own certificate.
        if (guess.toUpperCase().replace(/-/g, '') === own.toUpperCase().replace(/-/g, '')) continue;
        expect(res.status, guess).to.be.oneOf([403, 404]);
        expect(String(res.headers['content-type'])).not.to.include('pdf');
      }
    });

    it('leader of the person: the staff member certificate is not theirs to download', async () => {
      refused(await fx.agents.leaderB.get(`/mine-kurs/kursbevis/${fx.ids.certificateB}.pdf`));
    });

    it('my data and learning log with a foreign id smuggled in the query: only my own data', async () => {
      for (const path of [`/mine-data/last-ned?userId=${fx.ids.staffB}`, `/mine-data?userId=${fx.ids.staffB}`, `/mine-kurs/laeringslogg?userId=${fx.ids.staffB}`, `/mine-kurs/laeringslogg/markdown?user=${fx.ids.staffB}`]) {
        const res = await fx.agents.staffA.get(path);
        expect(res.status, path).to.equal(200);
        expect(res.text ?? '', path).not.to.include(SECRET_NAME);
        expect(res.text ?? '', path).not.to.include(fx.ids.staffB);
      }
    });

    it('team session page of another unit: refused without its place or people', async () => {
      refused(await fx.agents.staffA.get(`/teammoter/${fx.ids.sessionB}`));
    });

    it('staff posting to admin, author and leader actions: 403 and nothing changed', async () => {
      const unitBefore = await collection('units').findOne({ _id: new Types.ObjectId(fx.ids.unitB) });
      const userBefore = await collection('users').findOne({ _id: new Types.ObjectId(fx.ids.staffB) });
      const moduleBefore = await collection('module_drafts').find().toArray();
      const actions: Array<[string, Record<string, string>]> = [
        [`/admin/enheter/${fx.ids.unitB}`, { name: 'Overtatt', type: 'skole' }],
        [`/admin/enheter/${fx.ids.unitB}/steng`, {}],
        [`/admin/personer/${fx.ids.staffB}/deaktiver`, {}],
        [`/admin/personer/${fx.ids.staffB}/roller`, { roles: 'municipal-admin' }],
        [`/admin/personer/${fx.ids.staffA}/roller`, { roles: 'system-admin' }],
        [`/admin/personer/${fx.ids.staffB}/anonymiser`, { confirm: 'yes' }],
        [`/admin/personer/${fx.ids.staffA}/medlemskap`, { unitId: fx.ids.unitB, role: 'leder', startDate: '2020-01-01' }],
        ['/forfatter/moduler', { slug: 'kapret', title: 'Kapret' }],
        [`/forfatter/moduler/${fx.ids.module}/status`, { status: 'archived' }],
        [`/forfatter/moduler/${fx.ids.module}/publiser`, { revision: '1', kind: 'minor', changeNote: 'x' }],
        ['/kommune/tildelinger', { moduleSlugs: 'samtaler', unitTypes: 'barnehage', deadline: '2099-01-01' }],
        ['/kommune/rapport/innstillinger', { kjerne: 'auto' }],
        [`/leder/${fx.ids.unitA}/tildelinger`, { moduleSlug: 'samtaler', target: 'all', deadline: '2099-01-01' }],
      ];
      for (const [path, body] of actions) refused(await post(fx.agents.staffA, path, body), [403]);
      expect(await collection('units').findOne({ _id: new Types.ObjectId(fx.ids.unitB) })).to.deep.equal(unitBefore);
      expect(await collection('users').findOne({ _id: new Types.ObjectId(fx.ids.staffB) })).to.deep.equal(userBefore);
      const staffA = await collection('users').findOne({ _id: new Types.ObjectId(fx.ids.staffA) });
      expect(staffA?.roles).to.deep.equal([]);
      expect((staffA?.memberships as Array<{ unitId: unknown }>).map((m) => String(m.unitId))).to.deep.equal([fx.ids.unitA]);
      expect(await collection('module_drafts').find().toArray()).to.deep.equal(moduleBefore);
      expect(await collection('assignments').countDocuments({ scope: 'municipal' })).to.equal(0);
    });

    it('staff and leaders asking for another person admin page: 403 without the name', async () => {
      for (const agent of [fx.agents.staffA, fx.agents.leaderA, fx.agents.leaderB, fx.agents.author]) {
        refused(await agent.get(`/admin/personer/${fx.ids.staffB}`), [403]);
        refused(await agent.get(`/admin/personer?q=${encodeURIComponent('Hemmelig')}`), [403]);
      }
    });
  });

  describe('malformed, nonexistent and wrong-kind ids', () => {
    const nonexistent = new Types.ObjectId().toHexString();
    const malformed = ['xyz', '..%2F..%2Fetc%2Fpasswd', '%00', '123', 'a'.repeat(300), '%7B%22%24ne%22%3Anull%7D', '[object Object]'];

    it('leader routes with bad unit and session ids: 403/404, never 500', async () => {
      const bad = [...malformed, nonexistent, fx.ids.staffA, fx.ids.sessionA];
      for (const id of bad) {
        for (const path of [`/leder/enheter/${id}`, `/leder/enheter/${id}/eksport.csv`, `/leder/${id}/tildelinger`, `/leder/${id}/teammoter`, `/leder/${id}/paminnelser`]) {
          refused(await fx.agents.leaderA.get(path));
        }
        if (id !== fx.ids.staffA) refused(await fx.agents.leaderA.get(`/leder/enheter/${fx.ids.unitA}/personer/${id}`));
        refused(await fx.agents.leaderA.get(`/leder/${fx.ids.unitA}/teammoter/${id === fx.ids.sessionA ? fx.ids.unitA : id}`));
        refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/tildelinger/${id}/trekk-tilbake`), [400, 403, 404]);
        refused(await post(fx.agents.leaderA, `/leder/${fx.ids.unitA}/paminnelser/${id}`), [400, 403, 404]);
      }
    });

    it('admin routes with bad ids (a unit id for a person, a person id for a unit): 404, never 500', async () => {
      const bad = [...malformed, nonexistent];
      for (const id of bad) {
        for (const path of [`/admin/personer/${id}`, `/admin/enheter/${id}`, `/admin/bydeler/${id}`, `/admin/import/${id}`, `/kommune/rapport/enhet/${id}`, `/kommune/rapport/bydel/${id}`]) {
          const res = await fx.agents.admin.get(path);
          expect(res.status, `${path} → ${res.status}`).to.be.oneOf([400, 404]);
        }
        const res = await post(fx.agents.admin, `/admin/personer/${id}/deaktiver`);
        expect(res.status, `deaktiver ${id}`).to.be.oneOf([400, 404]);
      }
      expect((await fx.agents.admin.get(`/admin/personer/${fx.ids.unitA}`)).status).to.equal(404);
      expect((await fx.agents.admin.get(`/admin/enheter/${fx.ids.staffA}`)).status).to.equal(404);
      expect((await fx.agents.admin.get(`/kommune/rapport/enhet/${fx.ids.staffA}`)).status).to.equal(404);
      const membership = await post(fx.agents.admin, `/admin/personer/${fx.ids.staffA}/medlemskap`, { unitId: fx.ids.staffB, role: 'ansatt', startDate: '2024-01-01' });
      expect(membership.status).to.be.oneOf([400, 404]);
      const staffA = await collection('users').findOne({ _id: new Types.ObjectId(fx.ids.staffA) });
      expect((staffA?.memberships as Array<{ unitId: unknown }>).map((m) => String(m.unitId))).to.deep.equal([fx.ids.unitA]);
    });

    it('learning and authoring routes with bad slugs, files and activity ids: 404/400, never 500', async () => {
      for (const path of ['/moduler/finnes-ikke', '/moduler/..%2F..', `/moduler/${fx.ids.module}/finnes-ikke`, '/moduler/filer/xyz/a.png', `/moduler/filer/${nonexistent}/a.png`, '/bevis/xyz', '/bevis/AAAA-AAAA-AAAA', '/mine-kurs/kursbevis/..%2F..%2Fpackage.json']) {
        const res = await fx.agents.staffA.get(path);
        expect(res.status, `${path} → ${res.status}`).to.be.oneOf([400, 404]);
      }
      for (const path of ['/forfatter/moduler/finnes-ikke', `/forfatter/moduler/${fx.ids.module}/leksjoner/..%2F..%2Fpackage.json`, `/forfatter/moduler/${fx.ids.module}/leksjoner/finnes.md`, `/forfatter/moduler/${fx.ids.module}/versjoner/sammenlign?fra=9.9&til=1.0`]) {
        const res = await fx.agents.author.get(path);
        expect(res.status, `${path} → ${res.status}`).to.be.oneOf([400, 404]);
      }
      const edit = await post(fx.agents.author, `/forfatter/moduler/${fx.ids.module}/leksjoner/..%2F..%2Fpackage.json`, { revision: '1', text: 'x' });
      expect(edit.status).to.be.oneOf([400, 404, 409]);
      // An activity that belongs to another lesson of the module: not applied through this lesson.
      const progressBefore = await collection('progress').find({ _id: { $regex: `^${fx.ids.staffA}:` } as never }).toArray();
      const res = await post(fx.agents.staffA, '/moduler/samtaler/lytte/aktiviteter/lesson%3Aikke-her/markRead', { actionId: 'adv-foreign-activity' });
      expect(res.status).to.be.oneOf([400, 404]);
      expect(await collection('progress').find({ _id: { $regex: `^${fx.ids.staffA}:` } as never }).toArray()).to.deep.equal(progressBefore);
    });
  });
});
