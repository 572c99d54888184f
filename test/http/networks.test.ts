import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { networkScene } from '../helpers/network-scene.js';
import { doActivities } from '../helpers/progress.js';
import { CompletionModel, ProgressModel, progressId } from '../../src/components/learning/index.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

interface StoredNetwork {
  _id: string;
  name: string;
  themes: string[];
  unitIds: string[];
  coordinators: Array<{ id: string; name: string }>;
  participants: Array<{ personId: string; unitId: string; appointedBy: { id: string } }>;
  status: string;
  mergedInto: string | null;
  mergedFrom: string[];
}
interface StoredGathering {
  _id: string;
  networkId: string;
  originNetworkId: string | null;
  title: string;
  agenda: string;
  programme: { moduleSlug: string; activityId: string } | null;
  attendance: { present: string[]; roster: Array<{ id: string }> } | null;
}
const networks = () => mongoose.connection.db!.collection<StoredNetwork>('networks');
const gatherings = () => mongoose.connection.db!.collection<StoredGathering>('network_gatherings');
const progressOf = (userId: string) => ProgressModel.findById(progressId(userId, 'samtaler', 1)).lean<{ activities: Record<string, { attended?: boolean }>; completedAt: Date | null }>();
const dayOffset = (days: number) => isoDate(new Date(todayDateOnly().getTime() + days * 86_400_000));

type TestUser = { id: string; email: string };

describe('http: learning networks – admin creates, leaders appoint, coordinators plan gatherings and record attendance', function () {
  this.timeout(90_000);
  let app: Express;
  let kindergarten: string;
  let otherKindergarten: string;
  let school: string;
  let ppt: string;
  let admin: Agent;
  let coordinatorUser: TestUser;
  let coordinator: Agent;
  let leaderA: Agent;
  let leaderB: Agent;
  let kari: TestUser;
  let ola: TestUser;
  let lise: TestUser;
  let outsider: TestUser;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ kindergarten, school, ppt, coordinatorUser, admin, coordinator } = await networkScene(app));
    otherKindergarten = await createUnit('Blåbærtoppen barnehage', 'barnehage');
    const leaderAUser = await createUser({ name: 'Siri Dahl', memberships: [{ unitId: kindergarten, role: 'leder' }] });
    const leaderBUser = await createUser({ name: 'Rolf Rektor', memberships: [{ unitId: school, role: 'leder' }] });
    kari = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId: kindergarten, role: 'ansatt' }] });
    ola = await createUser({ name: 'Ola Hansen', memberships: [{ unitId: kindergarten, role: 'ansatt' }] });
    lise = await createUser({ name: 'Lise Lærer', memberships: [{ unitId: school, role: 'ansatt' }] });
    outsider = await createUser({ name: 'Ulla Utenfor', memberships: [{ unitId: kindergarten, role: 'ansatt' }] });
    leaderA = await signIn(app, leaderAUser.email);
    leaderB = await signIn(app, leaderBUser.email);
  });

  async function createNetwork(fields: Record<string, string | string[]> = {}): Promise<request> {
    const token = await csrfToken(admin, '/admin/nettverk');
    return admin
      .post('/admin/nettverk')
      .type('form')
      .send({ _csrf: token, name: 'Laget rundt barna – Nordbyen', themes: 'språk, overganger', from: dayOffset(-30), to: dayOffset(300), units: [kindergarten, school, ppt], coordinators: coordinatorUser.email, ...fields });
  }
  type request = Awaited<ReturnType<Agent['get']>>;

  async function created(fields: Record<string, string | string[]> = {}): Promise<string> {
    const res = await createNetwork(fields);
    expect(res.status, res.text.slice(0, 2000)).to.equal(303);
    return /\/admin\/nettverk\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
  }

  async function appoint(agent: Agent, unitId: string, networkId: string, participants: string[]) {
    const token = await csrfToken(agent, '/mine-kurs');
    return agent.post(`/leder/${unitId}/nettverk/${networkId}/deltakere`).type('form').send({ _csrf: token, participants });
  }

  async function plan(networkId: string, fields: Record<string, string> = {}) {
    const token = await csrfToken(coordinator, `/nettverk/${networkId}`);
    return coordinator
      .post(`/nettverk/${networkId}/samlinger`)
      .type('form')
      .send({ _csrf: token, title: 'Samling 1: Språk', date: dayOffset(0), time: '00:05', place: 'Rådhuset', agenda: '## Program\n\n- Velkommen\n- Teammøte\n\n<script>alert(1)</script>', activity: 'samtaler/team', ...fields });
  }

  async function planned(networkId: string, fields: Record<string, string> = {}): Promise<string> {
    const res = await plan(networkId, fields);
    expect(res.status, res.text.slice(0, 2000)).to.equal(303);
    return /\/samlinger\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
  }

  async function record(agent: Agent, networkId: string, gatheringId: string, present: string[]) {
    const token = await csrfToken(agent, '/mine-kurs');
    return agent.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppmote`).type('form').send({ _csrf: token, present });
  }

  it('the whole way: admin creates, leaders appoint from their units, the coordinator plans two gatherings, participants see them in Mine kurs, attendance from several units completes the module', async () => {
    const id = await created();
    const stored = await networks().findOne({ _id: id });
    expect(stored).to.include({ name: 'Laget rundt barna – Nordbyen', status: 'open' });
    expect(stored!.themes).to.deep.equal(['språk', 'overganger']);
    expect(stored!.unitIds).to.have.members([kindergarten, school, ppt]);
    expect(stored!.coordinators).to.deep.equal([{ id: coordinatorUser.id, name: 'Pia Rådgiver' }]);

    expect((await appoint(leaderA, kindergarten, id, [kari.id, ola.id])).status).to.equal(303);
    expect((await appoint(leaderB, school, id, [lise.id])).status).to.equal(303);
    const withParticipants = await networks().findOne({ _id: id });
    expect(withParticipants!.participants.map((p) => [p.personId, p.unitId])).to.have.deep.members([[kari.id, kindergarten], [ola.id, kindergarten], [lise.id, school]]);
    const unitPage = await leaderA.get(`/leder/${kindergarten}/nettverk`).expect(200);
    const who = unitPage.text.slice(unitPage.text.indexOf('id="who-heading"'), unitPage.text.indexOf('</section>', unitPage.text.indexOf('id="who-heading"')));
    expect(who).to.contain('Kari Nordmann').and.to.contain('Ola Hansen').and.to.contain('Laget rundt barna – Nordbyen').and.not.to.contain('Ulla Utenfor');

    const first = await planned(id);
    const second = await planned(id, { title: 'Samling 2: Overganger', date: dayOffset(14), time: '09:00', activity: '', agenda: '' });
    const storedFirst = await gatherings().findOne({ _id: first });
    expect(storedFirst).to.include({ networkId: id, title: 'Samling 1: Språk', attendance: null });
    expect(storedFirst!.programme).to.include({ moduleSlug: 'samtaler', activityId: 'team' });
    expect((await gatherings().findOne({ _id: second }))!.programme).to.equal(null);

    // Participants from every member unit see both upcoming gatherings in Mine kurs; others do not.
    for (const person of [kari, lise]) {
      const mine = await (await signIn(app, person.email)).get('/mine-kurs').expect(200);
      expect(mine.text).to.contain('Samling 1: Språk').and.to.contain('Samling 2: Overganger').and.to.contain(`/nettverk/${id}/samlinger/${second}`);
    }
    expect((await (await signIn(app, outsider.email)).get('/mine-kurs').expect(200)).text).not.to.contain('Samling 1: Språk');

    // The gathering page: the agenda as Markdown, rendered safely.
    const lisePage = await (await signIn(app, lise.email)).get(`/nettverk/${id}/samlinger/${first}`).expect(200);
    expect(lisePage.text).to.contain('<h2 id="h-program">Program</h2>').and.to.contain('<li>Velkommen</li>').and.to.contain('&lt;script&gt;').and.not.to.contain('<script>alert(1)</script>');
    expect(lisePage.text).not.to.contain('name="present"');

    // Attendance: Kari (kindergarten) and Lise (school) present, Ola absent.
    await doActivities(kari.id, kindergarten, 'samtaler@1.0', { skipTeamSession: true });
    await doActivities(lise.id, school, 'samtaler@1.0', { skipTeamSession: true });
    const res = await record(coordinator, id, first, [kari.id, lise.id]);
    expect(res.status).to.equal(303);
    for (const person of [kari, lise]) {
      const progress = await progressOf(person.id);
      expect(progress!.activities.team!.attended, person.email).to.equal(true);
      expect(progress!.completedAt, person.email).to.be.an.instanceOf(Date);
    }
    expect(await CompletionModel.countDocuments({ userId: { $in: [kari.id, lise.id] } })).to.equal(2);
    expect(await progressOf(ola.id)).to.equal(null);
    const afterAttendance = await gatherings().findOne({ _id: first });
    expect(afterAttendance!.attendance!.present).to.have.members([kari.id, lise.id]);
    expect(afterAttendance!.attendance!.roster.map((r) => r.id)).to.have.members([kari.id, ola.id, lise.id]);
    const coordinatorPage = await coordinator.get(`/nettverk/${id}/samlinger/${first}`).expect(200);
    expect(coordinatorPage.text).to.contain('Oppmøtet er lagret: 2 var med, 1 var ikke med. 2 fullførte modulen nå.');
    const absent = coordinatorPage.text.slice(coordinatorPage.text.indexOf('id="absent-heading"'));
    expect(absent).to.contain('Ola Hansen').and.not.to.contain('Kari Nordmann');

    // Ola is told what he missed; Kari sees only what comes next.
    const olaMine = await (await signIn(app, ola.email)).get('/mine-kurs').expect(200);
    expect(olaMine.text).to.contain('Du var ikke med på samlingen «Samling 1: Språk»');
    const kariMine = await (await signIn(app, kari.email)).get('/mine-kurs').expect(200);
    expect(kariMine.text).to.contain('Samling 2: Overganger');
    expect(kariMine.text).not.to.contain('Du var ikke med på samlingen');

    // Recording the same again changes nothing in progress.
    const before = await progressOf(kari.id);
    expect((await record(coordinator, id, first, [kari.id, lise.id])).status).to.equal(303);
    expect(await progressOf(kari.id)).to.deep.equal(before);
  });

  it('forbidden: a leader appointing from a unit they do not lead (403), or someone from another unit through their own (400); nothing stored', async () => {
    const id = await created();

    expect((await appoint(leaderA, school, id, [lise.id])).status).to.equal(403);
    const wrong = await appoint(leaderA, kindergarten, id, [lise.id]);
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.contain('Noen av de avkryssede jobber ikke i enheten lenger.');
    // A unit that is not in the network is no network of that unit's.
    const outside = await signIn(app, (await createUser({ memberships: [{ unitId: otherKindergarten, role: 'leder' }] })).email);
    expect((await appoint(outside, otherKindergarten, id, [])).status).to.equal(404);
    expect((await networks().findOne({ _id: id }))!.participants).to.deep.equal([]);
  });

  it('forbidden: a participant or a unit leader recording attendance or planning (403); someone outside the network opening it (403); staff on the admin pages (403)', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id]);
    const gathering = await planned(id);
    const kariAgent = await signIn(app, kari.email);

    expect((await record(kariAgent, id, gathering, [kari.id])).status).to.equal(403);
    expect((await record(leaderA, id, gathering, [kari.id])).status).to.equal(403);
    const token = await csrfToken(leaderA, '/mine-kurs');
    expect((await leaderA.post(`/nettverk/${id}/samlinger`).type('form').send({ _csrf: token, title: 'X' })).status).to.equal(403);
    expect((await gatherings().findOne({ _id: gathering }))!.attendance).to.equal(null);
    expect(await gatherings().countDocuments()).to.equal(1);
    // The leader of a member unit and a participant see the network; someone outside it does not.
    await leaderA.get(`/nettverk/${id}`).expect(200);
    await kariAgent.get(`/nettverk/${id}/samlinger/${gathering}`).expect(200);
    const outsiderAgent = await signIn(app, outsider.email);
    expect((await outsiderAgent.get(`/nettverk/${id}`)).status).to.equal(403);
    expect((await outsiderAgent.get(`/nettverk/${id}/samlinger/${gathering}`)).status).to.equal(403);
    expect((await kariAgent.get('/admin/nettverk')).status).to.equal(403);
    expect((await kariAgent.get(`/admin/nettverk/${id}`)).status).to.equal(403);
    expect((await coordinator.get('/admin/nettverk')).status).to.equal(403);
    // A network id that is none: 404, not a query with the text.
    expect((await admin.get('/admin/nettverk/ikke-et-nettverk')).status).to.equal(404);
  });

  it('bad input: creating a network or planning a gathering with mistakes answers 400 with a message by each field and the input kept; nothing stored', async () => {
    const res = await createNetwork({ name: '', from: '2026-02-30', to: '', units: [kindergarten], coordinators: 'ingen@finnes.example' });
    expect(res.status).to.equal(400);
    expect(res.text)
      .to.contain('Skriv inn navnet på nettverket.')
      .and.to.contain('Datoen må være en gyldig dato')
      .and.to.contain('Velg minst to enheter.')
      .and.to.contain('Minst én av e-postadressene tilhører ingen aktiv person')
      .and.to.contain('value="2026-02-30"')
      .and.to.contain('ingen@finnes.example')
      .and.to.contain('aria-invalid="true"');
    expect(await networks().countDocuments()).to.equal(0);

    const id = await created();
    const bad = await plan(id, { title: '<b>fet</b>', date: '', time: '25:00', place: '', activity: 'samtaler/finnes-ikke' });
    expect(bad.status).to.equal(400);
    expect(bad.text)
      .to.contain('Skriv inn datoen for samlingen')
      .and.to.contain('Skriv inn hvor samlingen skal være.')
      .and.to.contain('Velg et teammøte fra listen')
      .and.to.contain('value="&lt;b&gt;fet&lt;/b&gt;"')
      .and.not.to.contain('<b>fet</b>');
    expect(await gatherings().countDocuments()).to.equal(0);
  });

  it('missed: an absent participant is told, and the notice goes once they come to a gathering with the same programme', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id, ola.id]);
    const first = await planned(id);
    await record(coordinator, id, first, [kari.id]);
    const olaAgent = await signIn(app, ola.email);
    expect((await olaAgent.get('/mine-kurs').expect(200)).text).to.contain('Du var ikke med på samlingen «Samling 1: Språk»');

    const again = await planned(id, { title: 'Samling 1 igjen', time: '00:10' });
    expect((await record(coordinator, id, again, [ola.id])).status).to.equal(303);

    expect((await olaAgent.get('/mine-kurs').expect(200)).text).not.to.contain('Du var ikke med på samlingen');
    expect((await progressOf(ola.id))!.activities.team!.attended).to.equal(true);
  });

  it('summary and report: the coordinator shares a summary everyone in the network reads, and sees attendance by unit; a participant can do neither', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id, ola.id]);
    await appoint(leaderB, school, id, [lise.id]);
    const gathering = await planned(id);
    await record(coordinator, id, gathering, [kari.id, lise.id]);
    const token = await csrfToken(coordinator, `/nettverk/${id}/samlinger/${gathering}`);

    const tooLong = await coordinator.post(`/nettverk/${id}/samlinger/${gathering}/oppsummering`).type('form').send({ _csrf: token, summary: `<i>${'x'.repeat(10_001)}` });
    expect(tooLong.status).to.equal(400);
    expect(tooLong.text).to.contain('Oppsummeringen kan være høyst 10 000 tegn.').and.to.contain('&lt;i&gt;xxx');
    const saved = await coordinator.post(`/nettverk/${id}/samlinger/${gathering}/oppsummering`).type('form').send({ _csrf: token, summary: '## Dette tar vi med oss\n\n- Pedagogisk analyse i hvert team' });
    expect(saved.status).to.equal(303);

    const olaAgent = await signIn(app, ola.email);
    const page = await olaAgent.get(`/nettverk/${id}/samlinger/${gathering}`).expect(200);
    expect(page.text).to.contain('<li>Pedagogisk analyse i hvert team</li>').and.to.contain('Delt ').and.not.to.contain('action="/nettverk/' + id + '/samlinger/' + gathering + '/oppsummering"');
    const olaToken = await csrfToken(olaAgent, '/mine-kurs');
    expect((await olaAgent.post(`/nettverk/${id}/samlinger/${gathering}/oppsummering`).type('form').send({ _csrf: olaToken, summary: 'Mitt' })).status).to.equal(403);
    expect((await gatherings().findOne({ _id: gathering }) as unknown as { summary: string }).summary).to.contain('Pedagogisk analyse');

    const networkPage = await coordinator.get(`/nettverk/${id}`).expect(200);
    const report = networkPage.text.slice(networkPage.text.indexOf('id="report-heading"'), networkPage.text.indexOf('id="units-heading"'));
    expect(report).to.match(/Solsikken barnehage<\/th>\s*<td>1 av 2<\/td>/).and.to.match(/Nordbyen skole<\/th>\s*<td>1 av 1<\/td>/);
    expect((await olaAgent.get(`/nettverk/${id}`).expect(200)).text).not.to.contain('id="report-heading"');
  });

  it('network report: participants per unit and service, attendance and modules completed per gathering, for the coordinator and the municipality only', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id, ola.id]);
    await appoint(leaderB, school, id, [lise.id]);
    const first = await planned(id);
    await doActivities(kari.id, kindergarten, 'samtaler@1.0', { skipTeamSession: true });
    await doActivities(lise.id, school, 'samtaler@1.0', { skipTeamSession: true });
    expect((await record(coordinator, id, first, [kari.id, lise.id, ola.id])).status).to.equal(303);
    const second = await planned(id, { title: 'Samling 2: Overganger', time: '00:10', activity: '' });
    expect((await record(coordinator, id, second, [kari.id])).status).to.equal(303);
    // Ola came but has not done the rest of the module: 2 completed it through the first gathering.
    expect((await gatherings().findOne({ _id: first }) as unknown as { completedBy: string[] }).completedBy).to.have.members([kari.id, lise.id]);

    for (const agent of [coordinator, admin]) {
      const page = await agent.get(`/nettverk/${id}`).expect(200);
      const report = page.text.slice(page.text.indexOf('id="report-heading"'), page.text.indexOf('id="units-heading"'));
      expect(report).to.match(/Solsikken barnehage<\/th><td>Barnehage<\/td><td>2<\/td>/).and.to.match(/Nordbyen skole<\/th><td>Skole<\/td><td>1<\/td>/);
      expect(report).to.match(/<th scope="row">Barnehage<\/th><td>2<\/td>/).and.to.match(/Totalt<\/th><td>3<\/td>/);
      expect(report).to.match(/Samling 1: Språk <span class="muted">\([^)]*\)<\/span><\/th>\s*<td>3 av 3<\/td>\s*<td>Testmodul samtaler<\/td>\s*<td>2<\/td>/);
      expect(report).to.match(/Samling 2: Overganger <span class="muted">\([^)]*\)<\/span><\/th>\s*<td>1 av 3<\/td>\s*<td>–<\/td>\s*<td>–<\/td>/);
    }
    // A participant or a leader of a member unit sees the network, not its report.
    expect((await (await signIn(app, kari.email)).get(`/nettverk/${id}`).expect(200)).text).not.to.contain('id="report-heading"');
    expect((await leaderA.get(`/nettverk/${id}`).expect(200)).text).not.to.contain('id="report-heading"');

    // Taking Lise's tick back takes her out of the completed count.
    expect((await record(coordinator, id, first, [kari.id])).status).to.equal(303);
    expect((await gatherings().findOne({ _id: first }) as unknown as { completedBy: string[] }).completedBy).to.deep.equal([kari.id]);
  });

  it('task between gatherings: shared with the summary, shown to participants on Mine kurs until the next gathering begins', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id]);
    const held = await planned(id, { date: dayOffset(-1), time: '10:00', activity: '' });
    const token = await csrfToken(coordinator, `/nettverk/${id}/samlinger/${held}`);

    const res = await coordinator.post(`/nettverk/${id}/samlinger/${held}/oppsummering`).type('form').send({ _csrf: token, summary: '', task: 'Prøv **én** pedagogisk analyse på avdelingen.' });

    expect(res.status).to.equal(303);
    const kariAgent = await signIn(app, kari.email);
    const mine = await kariAgent.get('/mine-kurs').expect(200);
    expect(mine.text).to.contain('Oppgave til neste samling fra «Samling 1: Språk»').and.to.contain(`/nettverk/${id}/samlinger/${held}#task-heading`);
    const page = await kariAgent.get(`/nettverk/${id}/samlinger/${held}`).expect(200);
    expect(page.text).to.contain('id="task-heading"').and.to.contain('<strong>én</strong>');
    // The next gathering began today: the task has had its time.
    await planned(id, { title: 'Samling 2', date: dayOffset(0), time: '00:00', activity: '' });
    expect((await kariAgent.get('/mine-kurs').expect(200)).text).not.to.contain('Oppgave til neste samling');
  });

  it('editing: the administrator renames the network and takes a unit out; that unit\'s participants leave with it', async () => {
    const id = await created();
    await appoint(leaderA, kindergarten, id, [kari.id]);
    await appoint(leaderB, school, id, [lise.id]);
    const token = await csrfToken(admin, `/admin/nettverk/${id}`);

    const res = await admin
      .post(`/admin/nettverk/${id}`)
      .type('form')
      .send({ _csrf: token, name: 'Laget rundt barna', themes: 'språk', from: dayOffset(-30), to: '', units: [school, ppt], coordinators: coordinatorUser.email });

    expect(res.status).to.equal(303);
    const stored = await networks().findOne({ _id: id });
    expect(stored).to.include({ name: 'Laget rundt barna' });
    expect(stored!.unitIds).to.have.members([school, ppt]);
    expect(stored!.participants.map((p) => p.personId)).to.deep.equal([lise.id]);
    expect((await leaderA.get(`/leder/${kindergarten}/nettverk`).expect(200)).text).to.contain('Enheten er ikke med i noe åpent nettverk.');
  });

  it('merge and close: the merged network is kept and marked, its gatherings and participants move to the other; a closed network takes no new gatherings', async () => {
    const from = await created({ name: 'Språknettverket' });
    const into = await created({ name: 'Overgangsnettverket', units: [school, ppt, otherKindergarten] });
    await appoint(leaderA, kindergarten, from, [kari.id]);
    const gathering = await planned(from);

    const token = await csrfToken(admin, `/admin/nettverk/${from}`);
    const res = await admin.post(`/admin/nettverk/${from}/sla-sammen`).type('form').send({ _csrf: token, into });
    expect(res.status).to.equal(303);

    const merged = await networks().findOne({ _id: from });
    expect(merged).to.include({ status: 'merged', mergedInto: into });
    const target = await networks().findOne({ _id: into });
    expect(target!.unitIds).to.have.members([school, ppt, otherKindergarten, kindergarten]);
    expect(target!.participants.map((p) => p.personId)).to.deep.equal([kari.id]);
    expect(target!.mergedFrom).to.deep.equal([from]);
    expect(await gatherings().findOne({ _id: gathering })).to.include({ networkId: into, originNetworkId: from });
    const oldPage = await admin.get(`/nettverk/${from}`).expect(200);
    expect(oldPage.text).to.contain('Dette nettverket er slått sammen med').and.to.contain(`/nettverk/${into}`);
    const kariMine = await (await signIn(app, kari.email)).get('/mine-kurs').expect(200);
    expect(kariMine.text).to.contain(`/nettverk/${into}/samlinger/${gathering}`);

    const closeToken = await csrfToken(admin, `/admin/nettverk/${into}`);
    expect((await admin.post(`/admin/nettverk/${into}/steng`).type('form').send({ _csrf: closeToken })).status).to.equal(303);
    expect(await networks().findOne({ _id: into })).to.include({ status: 'closed' });
    expect((await plan(into, { title: 'For sent' })).status).to.equal(400);
    expect((await admin.post(`/admin/nettverk/${into}/steng`).type('form').send({ _csrf: closeToken })).status).to.equal(400);
  });
});
