import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { leaderSignedIn } from '../helpers/setup.js';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { CompletionModel, ProgressModel, progressId } from '../../src/components/learning/index.js';
import { doActivities } from '../helpers/progress.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

/** Does every activity of the fixture except the team session, as the learner would. */
const everythingButTheTeamSession = (userId: string, unitId: string) => doActivities(userId, unitId, 'samtaler@1.0', { skipTeamSession: true });

interface StoredProgress {
  activities: Record<string, { attended?: boolean; recordedAt?: string | null }>;
  completedAt: Date | null;
}
const progressOf = (userId: string) => ProgressModel.findById(progressId(userId, 'samtaler', 1)).lean<StoredProgress>();
const sessions = () => mongoose.connection.db!.collection<{ _id: string; unitId: string; moduleSlug: string; activityId: string; place: string; guide: { title: string; steps: unknown[] }; attendance: { present: string[]; recordedAt: Date } | null }>('team_sessions');

const dayOffset = (days: number) => isoDate(new Date(todayDateOnly().getTime() + days * 86_400_000));

describe('http: team sessions – plan, guide, attendance, what absent people missed', function () {
  this.timeout(60_000);
  let app: Express;
  let unitA: string;
  let unitB: string;
  let staff: { id: string; email: string };
  let colleague: { id: string; email: string };
  let leader: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ unitA, unitB, staff, colleague, leader } = await leaderSignedIn(app));
  });

  async function plan(fields: Partial<Record<'activity' | 'date' | 'time' | 'place' | 'facilitator', string>> = {}, unitId = unitA) {
    const token = await csrfToken(leader, '/mine-kurs');
    return leader
      .post(`/leder/${unitId}/teammoter`)
      .type('form')
      .send({ _csrf: token, activity: 'samtaler/team', date: dayOffset(0), time: '00:05', place: 'Personalrommet', facilitator: 'Siri Dahl', ...fields });
  }

  async function planned(): Promise<string> {
    const res = await plan();
    expect(res.status).to.equal(303);
    return /\/teammoter\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
  }

  async function record(sessionId: string, present: string[]) {
    const token = await csrfToken(leader, `/leder/${unitA}/teammoter/${sessionId}`);
    return leader.post(`/leder/${unitA}/teammoter/${sessionId}/oppmote`).type('form').send({ _csrf: token, present });
  }

  it('planning: stored with the guide from the module, listed as planned; the guide page has every part and print/projection support', async () => {
    const id = await planned();

    const stored = await sessions().findOne({ _id: id });
    expect(stored).to.include({ unitId: unitA, moduleSlug: 'samtaler', activityId: 'team', place: 'Personalrommet', attendance: null });
    expect(stored!.guide.title).to.equal('Teammøte om samtaler');
    const list = await leader.get(`/leder/${unitA}/teammoter`).expect(200);
    const upcoming = list.text.slice(list.text.indexOf('id="upcoming-heading"'), list.text.indexOf('id="past-heading"'));
    expect(upcoming).to.contain('Teammøte om samtaler').and.to.contain('Personalrommet');
    const guide = await leader.get(`/leder/${unitA}/teammoter/${id}/guide`).expect(200);
    expect(guide.text)
      .to.contain('<h1>Teammøte om samtaler</h1>')
      .and.to.contain('Formål')
      .and.to.contain('Dele erfaringer med åpne spørsmål.')
      .and.to.contain('45 minutter')
      .and.to.contain('Runde')
      .and.to.contain('20 min (minutt 0–20)')
      .and.to.contain('Spørsmål til samtalen')
      .and.to.contain('Hva lærte vi?')
      .and.to.contain('css/print.css')
      .and.to.contain('js/guide.js')
      .and.to.contain('data-guide-fullscreen hidden');
  });

  it('planning with missing or bad fields: 400 with a message by each field, the typed values kept, nothing stored', async () => {
    const res = await plan({ activity: 'samtaler/finnes-ikke', date: '2026-02-30', time: '', place: '', facilitator: '' });

    expect(res.status).to.equal(400);
    expect(res.text)
      .to.contain('Velg hvilket teammøte dere skal ha.')
      .and.to.contain('Datoen må være en gyldig dato')
      .and.to.contain('Skriv inn klokkeslettet, for eksempel 14:00.')
      .and.to.contain('Skriv inn hvor teammøtet skal være')
      .and.to.contain('Skriv inn hvem som leder teammøtet.');
    expect(res.text).to.contain('value="2026-02-30"').and.to.contain('aria-invalid="true"');
    expect(await sessions().countDocuments()).to.equal(0);
  });

  it('another unit\'s leader: 403 for planning, the list and the session', async () => {
    const id = await planned();
    const other = await signIn(app, (await createUser({ memberships: [{ unitId: unitB, role: 'leder' }] })).email);
    const token = await csrfToken(other, '/mine-kurs');

    expect((await other.post(`/leder/${unitA}/teammoter`).type('form').send({ _csrf: token, activity: 'samtaler/team' })).status).to.equal(403);
    expect((await other.get(`/leder/${unitA}/teammoter/${id}`)).status).to.equal(403);
    // Its own unit in the URL does not reach another unit's session either.
    expect((await other.get(`/leder/${unitB}/teammoter/${id}/guide`)).status).to.equal(404);
    expect(await sessions().countDocuments()).to.equal(1);
  });

  it('attendance: completes the team session for those present (and the module when it was the last activity); absent people get nothing stored', async () => {
    await everythingButTheTeamSession(staff.id, unitA);
    expect((await progressOf(staff.id))!.completedAt ?? null).to.equal(null);
    const id = await planned();

    const res = await record(id, [staff.id]);

    expect(res.status).to.equal(303);
    const progress = await progressOf(staff.id);
    expect(progress!.activities.team!.attended).to.equal(true);
    expect(progress!.completedAt).to.be.an.instanceOf(Date);
    expect(await CompletionModel.countDocuments({ userId: staff.id })).to.equal(1);
    expect(await progressOf(colleague.id)).to.equal(null);
    expect((await sessions().findOne({ _id: id }))!.attendance!.present).to.deep.equal([staff.id]);
    const page = await leader.get(`/leder/${unitA}/teammoter/${id}`).expect(200);
    expect(page.text).to.contain('Oppmøtet er lagret: 1 var med, 2 var ikke med. 1 fullførte modulen nå.');
    const absent = page.text.slice(page.text.indexOf('id="absent-heading"'));
    expect(absent).to.contain('Ola Hansen').and.to.contain('Siri Dahl').and.not.to.contain('Kari Nordmann');
    expect(page.text).to.contain(`id="present-${staff.id}" name="present" value="${staff.id}" checked`);
  });

  it('recording the same attendance twice changes nothing: progress, completion facts and the session stay as they were', async () => {
    await everythingButTheTeamSession(staff.id, unitA);
    const id = await planned();
    await record(id, [staff.id]);
    const progressBefore = await progressOf(staff.id);
    const sessionBefore = await sessions().findOne({ _id: id });

    const again = await record(id, [staff.id]);

    expect(again.status).to.equal(303);
    expect(await progressOf(staff.id)).to.deep.equal(progressBefore);
    expect(await sessions().findOne({ _id: id })).to.deep.equal(sessionBefore);
    expect(await CompletionModel.countDocuments()).to.equal(1);
    expect((await leader.get(`/leder/${unitA}/teammoter/${id}`)).text).to.contain('0 fullførte modulen nå.');
  });

  it('absent people see what they missed on Mine kurs and the module page, and the guide content without the attendance', async () => {
    const id = await planned();
    await record(id, [staff.id]);
    const absent = await signIn(app, colleague.email);

    const myCourses = await absent.get('/mine-kurs').expect(200);
    expect(myCourses.text).to.match(/Du var ikke med på teammøtet «Teammøte om samtaler» \d+\. \S+ \d{4} — her er hva dere gikk gjennom\./);
    expect(myCourses.text).to.contain(`href="/teammoter/${id}"`);
    const modulePage = await absent.get('/moduler/samtaler/').expect(200);
    expect(modulePage.text).to.contain('Du var ikke med på teammøtet');
    const missed = await absent.get(`/teammoter/${id}`).expect(200);
    expect(missed.text).to.contain('Du var ikke med på teammøtet').and.to.contain('Dele erfaringer med åpne spørsmål.').and.to.contain('Hva lærte vi?').and.not.to.contain('Kari Nordmann');
    // Present: no notice. Another unit: no access.
    expect((await (await signIn(app, staff.email)).get('/mine-kurs')).text).not.to.contain('Du var ikke med på teammøtet');
    const outsider = await signIn(app, (await createUser({ memberships: [{ unitId: unitB, role: 'ansatt' }] })).email);
    expect((await outsider.get(`/teammoter/${id}`)).status).to.equal(403);
  });

  it('correcting a mistaken tick: the activity is taken back but the completed module stays completed; the other person is recorded and their notice goes', async () => {
    await everythingButTheTeamSession(staff.id, unitA);
    const id = await planned();
    await record(id, [staff.id]);
    const completedAt = (await progressOf(staff.id))!.completedAt;

    await record(id, [colleague.id]);

    const staffProgress = await progressOf(staff.id);
    expect(staffProgress!.activities.team!.attended).to.equal(false);
    expect(staffProgress!.completedAt).to.deep.equal(completedAt);
    expect(await CompletionModel.countDocuments({ userId: staff.id })).to.equal(1);
    expect((await progressOf(colleague.id))!.activities.team!.attended).to.equal(true);
    expect((await (await signIn(app, colleague.email)).get('/mine-kurs')).text).not.to.contain('Du var ikke med på teammøtet');
    expect((await (await signIn(app, staff.email)).get('/mine-kurs')).text).to.contain('Du var ikke med på teammøtet');
  });

  it('attending a later session of the same activity clears the earlier missed notice, and an untick elsewhere does not undo it', async () => {
    const first = await planned();
    await record(first, [staff.id]);
    const second = await planned();

    await record(second, [colleague.id, staff.id]);
    await record(second, [colleague.id]);

    expect((await progressOf(staff.id))!.activities.team!.attended).to.equal(true);
    expect((await (await signIn(app, colleague.email)).get('/mine-kurs')).text).not.to.contain('Du var ikke med på teammøtet');
  });

  it('attendance before the day of the session: 400 with the reason, nothing stored; a planned session can be cancelled, a recorded one not', async () => {
    const res = await plan({ date: dayOffset(7) });
    const future = /\/teammoter\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
    const early = await record(future, [staff.id]);
    expect(early.status).to.equal(400);
    expect(early.text).to.contain('Du kan registrere oppmøte fra den dagen teammøtet holdes.');
    expect(await progressOf(staff.id)).to.equal(null);

    const token = await csrfToken(leader, `/leder/${unitA}/teammoter/${future}`);
    await leader.post(`/leder/${unitA}/teammoter/${future}/avlys`).type('form').send({ _csrf: token }).expect(303);
    expect(await sessions().countDocuments({ _id: future })).to.equal(0);

    const held = await planned();
    await record(held, [staff.id]);
    const refused = await leader.post(`/leder/${unitA}/teammoter/${held}/avlys`).type('form').send({ _csrf: token });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Teammøtet har registrert oppmøte og kan ikke avlyses.');
    expect(await sessions().countDocuments({ _id: held })).to.equal(1);
  });

  it('ticking someone who is not in the unit: 400, nothing recorded', async () => {
    const outsider = await createUser({ memberships: [{ unitId: unitB, role: 'ansatt' }] });
    const id = await planned();

    const res = await record(id, [staff.id, outsider.id]);

    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Noen av de avkryssede jobber ikke i enheten lenger.');
    expect(await progressOf(staff.id)).to.equal(null);
    expect((await sessions().findOne({ _id: id }))!.attendance).to.equal(null);
  });
});
