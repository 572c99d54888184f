import { expect } from 'chai';
import request from 'supertest';
import mongoose from 'mongoose';
import { collection, dollarKeys, tokenFor, twoUnits, type TwoUnits } from './fixture.js';
import { TEST_PASSWORD, type Agent } from '../../helpers/auth.js';

/**
 * Operator injection: every query string, form body and JSON body that reaches a query, fed MongoDB
 * operators, arrays and other non-strings where a string is expected. The app must refuse or ignore
 * them: no 500, no login, nothing beyond what the legitimate query returns, nothing stored with a `$` key.
 */

/** Values a JSON body can carry where the app expects a string. */
const JSON_PAYLOADS: unknown[] = [
  { $ne: null },
  { $gt: '' },
  { $regex: '.*' },
  { $where: 'sleep(200) || true' },
  { $in: ['a', 'b'] },
  ['a', 'b'],
  [{ $ne: null }],
  { __proto__: { admin: true }, constructor: { prototype: { admin: true } } },
  null,
  12345,
  true,
];

/** What a form or query string can carry: bracketed keys (literal with the simple parsers), repeats, regex text. */
const FORM_PAYLOADS: Array<(field: string) => string> = [
  (f) => `${f}[$ne]=`,
  (f) => `${f}[$gt]=`,
  (f) => `${f}[$regex]=.*`,
  (f) => `${f}=a&${f}=b`,
  (f) => `${f}=.*`,
  (f) => `${f}=%24where`,
  (f) => `${f}=(a%2B)%2B%24`,
  (f) => `${f}=%5B`,
  (f) => `${f}=%00`,
];

type Who = 'anonymous' | 'staffA' | 'leaderA' | 'admin' | 'author';
interface Target {
  method: 'get' | 'post';
  path: string;
  fields: string[];
  as: Who;
  /** A legitimate rest of the body, so the payload field is the only thing wrong. */
  base?: Record<string, unknown>;
}

describe('http adversarial: operator injection in queries, forms and JSON', function () {
  this.timeout(300_000);
  let fx: TwoUnits;
  let targets: Target[];

  before(async () => {
    fx = await twoUnits();
    const { unitA, staffA, assignmentA, sessionA, module } = fx.ids;
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    // Every route whose input reaches a query, from the route files (src/components/*/routes.ts).
    targets = [
      { method: 'post', path: '/logg-inn', fields: ['email', 'password', 'returnTo'], as: 'anonymous', base: { email: fx.emails.staffA, password: 'feil-passord-123' } },
      { method: 'post', path: '/passord/glemt', fields: ['email'], as: 'anonymous', base: { email: 'ingen@test.example' } },
      { method: 'post', path: '/passord/ny/ugyldig-token', fields: ['password', 'passwordConfirm'], as: 'anonymous', base: { password: 'Nytt-passord-123', passwordConfirm: 'Nytt-passord-123' } },
      { method: 'get', path: '/admin/personer', fields: ['q', 'unit'], as: 'admin' },
      { method: 'get', path: '/admin/enheter', fields: ['district', 'type', 'status'], as: 'admin' },
      { method: 'get', path: '/kommune/rapport', fields: ['moduler', 'fra', 'til'], as: 'admin' },
      { method: 'get', path: '/kommune/rapport/eksport.csv', fields: ['moduler', 'fra', 'til'], as: 'admin' },
      { method: 'get', path: '/kommune/rapport/logg', fields: ['side'], as: 'admin' },
      { method: 'get', path: `/leder/enheter/${unitA}`, fields: ['sort', 'retning', 'side'], as: 'leaderA' },
      { method: 'get', path: '/mine-kurs', fields: ['tema'], as: 'staffA' },
      { method: 'get', path: '/bevis', fields: ['kode'], as: 'anonymous' },
      { method: 'get', path: '/logg-inn', fields: ['returnTo', 'lang'], as: 'anonymous' },
      { method: 'get', path: '/admin/import', fields: ['kind'], as: 'admin' },
      { method: 'get', path: `/forfatter/moduler/${module}/versjoner/sammenlign`, fields: ['fra', 'til'], as: 'author' },
      { method: 'post', path: `/leder/${unitA}/tildelinger`, fields: ['moduleSlug', 'target', 'userIds', 'deadline'], as: 'leaderA', base: { moduleSlug: 'samtaler', target: 'people', userIds: [staffA], deadline: future } },
      { method: 'post', path: `/leder/${unitA}/tildelinger/${assignmentA}/frist`, fields: ['deadline'], as: 'leaderA', base: { deadline: future } },
      { method: 'post', path: '/kommune/tildelinger', fields: ['moduleSlugs', 'unitTypes', 'districtIds', 'deadline'], as: 'admin', base: { moduleSlugs: ['samtaler'], unitTypes: ['sfo'], deadline: future } },
      { method: 'post', path: '/kommune/tildelinger/trekk-tilbake', fields: ['batch'], as: 'admin', base: { batch: 'finnes-ikke' } },
      { method: 'post', path: `/leder/${unitA}/teammoter`, fields: ['activity', 'date', 'time', 'place', 'facilitator'], as: 'leaderA', base: { activity: 'samtaler/team', date: future, time: '09:00', place: 'Rom', facilitator: 'Leder' } },
      { method: 'post', path: `/leder/${unitA}/teammoter/${sessionA}/oppmote`, fields: ['present'], as: 'leaderA', base: { present: [staffA] } },
      { method: 'post', path: `/leder/${unitA}/paminnelser/${assignmentA}`, fields: ['personId'], as: 'leaderA' },
      { method: 'post', path: `/admin/personer/${staffA}/medlemskap`, fields: ['unitId', 'role', 'startDate'], as: 'admin', base: { unitId: unitA, role: 'ansatt', startDate: '2024-01-01' } },
      { method: 'post', path: `/admin/personer/${staffA}/roller`, fields: ['roles'], as: 'admin', base: { roles: [] } },
      { method: 'post', path: '/admin/enheter', fields: ['name', 'type', 'districtId', 'orgNumber', 'nsrId'], as: 'admin', base: { name: 'Ny enhet', type: 'sfo', districtId: 'x' } },
      { method: 'post', path: `/admin/enheter/${unitA}`, fields: ['name', 'type', 'districtId', 'orgNumber'], as: 'admin', base: { name: 'Enhet Alfa', type: 'barnehage' } },
      { method: 'post', path: '/admin/bydeler', fields: ['name'], as: 'admin', base: { name: 'Ny bydel' } },
      { method: 'post', path: `/admin/import/${new mongoose.Types.ObjectId().toHexString()}/bekreft`, fields: ['planHash', 'onlyValid'], as: 'admin', base: { planHash: 'x' } },
      { method: 'post', path: '/kommune/rapport/innstillinger', fields: ['kjerne', 'targets'], as: 'admin' },
      { method: 'post', path: '/varsler', fields: ['digest'], as: 'staffA', base: { digest: 'on' } },
      { method: 'post', path: '/varsler/avmeld/x.y', fields: ['token'], as: 'anonymous' },
      { method: 'post', path: '/moduler/samtaler/lytte/aktiviteter/tanker/save', fields: ['text', 'actionId', 'action'], as: 'staffA', base: { text: 'Tanke', actionId: 'injection-1' } },
      { method: 'post', path: '/moduler/samtaler/sporre/aktiviteter/sjekk/submit', fields: ['answers', 'actionId'], as: 'staffA', base: { answers: { q1: [0] }, actionId: 'injection-2' } },
      { method: 'post', path: '/moduler/samtaler/sporre/aktiviteter/prov/report', fields: ['tried', 'note', 'actionId'], as: 'staffA', base: { tried: true, note: 'Notat', actionId: 'injection-3' } },
      { method: 'post', path: '/forfatter/moduler', fields: ['slug', 'title'], as: 'author', base: { slug: 'injisert', title: 'Injisert' } },
      { method: 'post', path: `/forfatter/moduler/${module}/innstillinger`, fields: ['revision', 'title'], as: 'author', base: { revision: '0', title: 'x' } },
      { method: 'post', path: `/forfatter/moduler/${module}/leksjoner`, fields: ['revision', 'title'], as: 'author', base: { revision: '0', title: 'Ny' } },
      { method: 'post', path: `/forfatter/moduler/${module}/leksjoner/01-lytte.md/forhandsvisning`, fields: ['text'], as: 'author', base: { text: 'x' } },
      { method: 'post', path: `/forfatter/moduler/${module}/status`, fields: ['status'], as: 'author' },
    ];
  });

  function agentFor(who: Who): Agent {
    return who === 'anonymous' ? request.agent(fx.app) : fx.agents[who];
  }

  function noServerError(res: request.Response, label: string): void {
    expect(res.status, `${label} → ${res.status} ${res.text?.slice(0, 200)}`).to.be.below(500);
  }

  it('every target, JSON operator payloads in each field: no 500', async () => {
    for (const target of targets) {
      const agent = agentFor(target.as);
      const csrf = await tokenFor(agent);
      for (const field of target.fields) {
        for (const payload of JSON_PAYLOADS) {
          const label = `${target.method.toUpperCase()} ${target.path} ${field}=${JSON.stringify(payload)}`;
          const res =
            target.method === 'get'
              ? await agent.get(target.path).query(JSON.stringify({ [field]: payload }).length < 200 ? `${field}=${encodeURIComponent(JSON.stringify(payload))}` : '')
              : await agent.post(target.path).set('Content-Type', 'application/json').set('Accept', 'application/json').send(JSON.stringify({ _csrf: csrf, ...target.base, [field]: payload }));
          noServerError(res, label);
        }
      }
    }
  });

  it('every target, form and query operator shapes in each field: no 500', async () => {
    for (const target of targets) {
      const agent = agentFor(target.as);
      const csrf = await tokenFor(agent);
      for (const field of target.fields) {
        for (const shape of FORM_PAYLOADS) {
          const encoded = shape(field);
          const label = `${target.method.toUpperCase()} ${target.path} ${encoded}`;
          const res =
            target.method === 'get'
              ? await agent.get(`${target.path}?${encoded}`)
              : await agent.post(target.path).type('form').send(`_csrf=${encodeURIComponent(csrf)}&${encoded}`);
          noServerError(res, label);
        }
      }
    }
  });

  it('nothing stored anywhere has a key starting with $ after all the payloads', async () => {
    const names = (await mongoose.connection.db!.listCollections().toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
    const found: string[] = [];
    for (const name of names) {
      for (const doc of await collection(name).find().toArray()) {
        for (const key of dollarKeys(doc)) found.push(`${name} ${String(doc._id)} ${key}`);
      }
    }
    expect(found).to.deep.equal([]);
  });

  it('login, operator in e-mail or password: no session, 400/401', async () => {
    for (const [email, password] of [
      [{ $ne: null }, { $ne: null }],
      [fx.emails.staffA, { $ne: null }],
      [{ $regex: '.*' }, TEST_PASSWORD],
      [{ $gt: '' }, TEST_PASSWORD],
      [[fx.emails.staffA], [TEST_PASSWORD]],
    ] as Array<[unknown, unknown]>) {
      const agent = request.agent(fx.app);
      const csrf = await tokenFor(agent);
      const res = await agent.post('/logg-inn').set('Content-Type', 'application/json').send(JSON.stringify({ _csrf: csrf, email, password }));
      expect(res.status, JSON.stringify({ email, password })).to.be.oneOf([400, 401, 429]);
      const after = await agent.get('/mine-kurs');
      expect(after.status).to.equal(302);
      expect(after.headers.location).to.match(/^\/logg-inn/);
    }
    const form = request.agent(fx.app);
    const csrf = await tokenFor(form);
    const res = await form.post('/logg-inn').type('form').send(`_csrf=${encodeURIComponent(csrf)}&email[$ne]=x&password[$ne]=x`);
    expect(res.status).to.equal(400);
  });

  it('password reset, operator e-mail: the same answer and no mail to anyone', async () => {
    const mailsBefore = await collection('mail_outbox').countDocuments();
    for (const email of [{ $ne: null }, { $regex: '.*' }, [fx.emails.staffA]]) {
      const agent = request.agent(fx.app);
      const csrf = await tokenFor(agent);
      const res = await agent.post('/passord/glemt').set('Content-Type', 'application/json').send(JSON.stringify({ _csrf: csrf, email }));
      expect(res.status).to.be.oneOf([303, 302, 400]);
    }
    expect(await collection('mail_outbox').countDocuments()).to.equal(mailsBefore);
  });

  it('people search, regex text in q: matches literally (no one), never everyone', async () => {
    for (const q of ['.*', '^', '[a-z]', '(a+)+$']) {
      const res = await fx.agents.admin.get(`/admin/personer?q=${encodeURIComponent(q)}`);
      expect(res.status).to.equal(200);
      expect(res.text, q).not.to.include('Anne Alfa');
    }
    const legit = await fx.agents.admin.get('/admin/personer?q=Anne');
    expect(legit.text).to.include('Anne Alfa');
  });

  it('certificate check, operator or regex code: not found, never someone else certificate', async () => {
    for (const kode of ['.*', '%7B%22%24ne%22%3Anull%7D', '[A-Z]', fx.ids.certificateB.slice(0, 4)]) {
      const res = await request(fx.app).get(`/bevis?kode=${kode}`);
      expect(res.status).to.be.oneOf([303, 400, 404]);
      if (res.status === 303) expect((await request(fx.app).get(String(res.headers.location))).status).to.equal(404);
    }
  });

  it('unsubscribe, forged or operator-shaped tokens: 404 and nobody switched off', async () => {
    for (const token of [`${fx.ids.staffB}.x`, `${fx.ids.staffB}.${'A'.repeat(43)}`, '%7B%22%24ne%22%3Anull%7D', `${fx.ids.staffB}`, '..', `${fx.ids.staffB}.a.b`]) {
      const agent = request.agent(fx.app);
      const csrf = await tokenFor(agent);
      const res = await agent.post(`/varsler/avmeld/${token}`).type('form').send({ _csrf: csrf });
      expect(res.status, token).to.equal(404);
    }
    const staffB = await collection('users').findOne({ _id: new mongoose.Types.ObjectId(fx.ids.staffB) });
    expect(staffB?.digestOptOut ?? false).to.equal(false);
  });
});
