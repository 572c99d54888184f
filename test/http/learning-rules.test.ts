import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { learnerSignedIn } from '../helpers/setup.js';
import { activityForm } from '../helpers/lesson-form.js';
import { createUser, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { CompletionModel, ProgressModel, progressId } from '../../src/components/learning/index.js';
import { setAccountStatus, type PlatformRole } from '../../src/components/accounts/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { anonymisePerson, exportOwnData } from '../../src/components/people/index.js';

/**
 * Learning rules over HTTP: prerequisites, minor and major versions, privacy of what people write,
 * and who may download a certificate.
 */

const SECRET = 'Min hemmelige refleksjon om barna på avdelingen';
const NOTE = 'Notat fra arbeidsoppgaven som bare jeg skal se';

async function act(agent: Agent, lessonPath: string, activityId: string, fields: Record<string, string> = {}) {
  const page = await agent.get(lessonPath).expect(200);
  const form = activityForm(page.text, activityId);
  return agent.post(form.url).type('form').send({ _csrf: form.csrf, actionId: form.actionId, ...fields });
}

/** Completes the small fixture (lesson 1: film, reflection, reading) through the forms. */
async function completeSmall(agent: Agent, slug: string, text = 'Tanker') {
  const lesson = `/moduler/${slug}/lytte`;
  expect((await act(agent, lesson, 'film')).status).to.equal(303);
  expect((await act(agent, lesson, 'tanker', { text })).status).to.equal(303);
  expect((await act(agent, lesson, 'lesson:lytte')).status).to.equal(303);
}

function sessionUser(id: string, roles: PlatformRole[]): SessionUser {
  return { id, name: 'Admin', email: 'admin@test.example', roles: new Set(roles), memberOf: new Set(), leaderOf: new Set() };
}

describe('http: learning rules – prerequisites, versions, privacy, certificates', function () {
  this.timeout(60_000);
  let app: Express;
  let unitId: string;
  let staff: { id: string; email: string };
  let agent: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ unitId, staff, agent } = await learnerSignedIn(app, { publish: false }));
  });

  it('prerequisites: lessons and actions are locked with links until the prerequisite is completed, then open', async () => {
    await publishFixture({ slug: 'grunnkurs', title: 'Grunnkurs', small: true });
    await publishFixture({ slug: 'samtaler', prerequisites: ['grunnkurs'], small: true });

    const modulePage = await agent.get('/moduler/samtaler/').expect(200);
    expect(modulePage.text).to.contain('Modulen er låst').and.to.contain('href="/moduler/grunnkurs/"');
    const locked = await agent.get('/moduler/samtaler/lytte');
    expect(locked.status).to.equal(403);
    expect(locked.text).to.contain('href="/moduler/grunnkurs/"').and.not.to.contain('aktiviteter/tanker');
    const token = /name="_csrf" value="([^"]+)"/.exec(locked.text)![1]!;
    const refused = await agent.post('/moduler/samtaler/lytte/aktiviteter/tanker/save').type('form').send({ _csrf: token, actionId: 'forsok-0000001', text: 'x' });
    expect(refused.status).to.equal(403);
    expect(await ProgressModel.countDocuments({ moduleSlug: 'samtaler' })).to.equal(0);

    await completeSmall(agent, 'grunnkurs');

    expect((await agent.get('/moduler/samtaler/').expect(200)).text).not.to.contain('Modulen er låst');
    expect((await act(agent, '/moduler/samtaler/lytte', 'tanker', { text: 'Nå går det' })).status).to.equal(303);
    expect(await ProgressModel.countDocuments({ moduleSlug: 'samtaler' })).to.equal(1);
  });

  it('minor version: work done in 1.0 counts in 1.1, completion in 1.1 is recorded with 1.1; a completion of 1.0 stays complete', async () => {
    const done = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const doneAgent = await signIn(app, done.email);
    await publishFixture({ small: true });
    await completeSmall(doneAgent, 'samtaler');
    await act(agent, '/moduler/samtaler/lytte', 'film');

    await publishFixture({ small: true, wording: 'Barn har rett til å bli hørt og tatt på alvor.', kind: 'minor' });

    const lesson = await agent.get('/moduler/samtaler/lytte').expect(200);
    expect(lesson.text).to.contain('tatt på alvor');
    expect(lesson.text).not.to.contain('aktiviteter/film/markWatched');
    await act(agent, '/moduler/samtaler/lytte', 'tanker', { text: 'Tanke' });
    await act(agent, '/moduler/samtaler/lytte', 'lesson:lytte');
    const fact = await CompletionModel.findById(progressId(staff.id, 'samtaler', 1)).lean();
    expect(fact?.versionId).to.equal('samtaler@1.1');

    const doneCourses = await doneAgent.get('/mine-kurs').expect(200);
    expect(doneCourses.text).to.contain('Fullført').and.not.to.contain('Oppdatert');
    expect(await CompletionModel.countDocuments()).to.equal(2);
  });

  it('major version: the old completion stays and the new version is offered as updated; someone in progress on the old major can finish it', async () => {
    const inProgress = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const inProgressAgent = await signIn(app, inProgress.email);
    await publishFixture({ small: true });
    await completeSmall(agent, 'samtaler');
    await act(inProgressAgent, '/moduler/samtaler/lytte', 'film');

    await publishFixture({ small: true, wording: 'Helt nytt innhold om å lytte.', kind: 'major' });

    // The person who completed 1.0: still on record, the new version offered as updated.
    expect((await CompletionModel.findById(progressId(staff.id, 'samtaler', 1)).lean())?.versionId).to.equal('samtaler@1.0');
    const courses = await agent.get('/mine-kurs').expect(200);
    expect(courses.text).to.contain('Oppdatert').and.to.contain('ny versjon siden du fullførte');
    const modulePage = await agent.get('/moduler/samtaler/').expect(200);
    expect(modulePage.text).to.contain('Start modulen').and.to.contain('versjon 1.0');
    expect((await agent.get('/moduler/samtaler/lytte').expect(200)).text).to.contain('Helt nytt innhold');

    // The person in progress on 1.0 finishes 1.0, then is offered 2.0.
    const oldLesson = await inProgressAgent.get('/moduler/samtaler/lytte').expect(200);
    expect(oldLesson.text).not.to.contain('Helt nytt innhold');
    expect((await inProgressAgent.get('/moduler/samtaler/').expect(200)).text).to.contain('nyere versjon');
    await act(inProgressAgent, '/moduler/samtaler/lytte', 'tanker', { text: 'Tanke' });
    await act(inProgressAgent, '/moduler/samtaler/lytte', 'lesson:lytte');
    expect((await CompletionModel.findById(progressId(inProgress.id, 'samtaler', 1)).lean())?.versionId).to.equal('samtaler@1.0');
    expect((await inProgressAgent.get('/moduler/samtaler/lytte').expect(200)).text).to.contain('Helt nytt innhold');
    expect(await ProgressModel.countDocuments({ userId: inProgress.id, major: 2 })).to.equal(0);
  });

  it('completion never regresses over HTTP: emptying the reflection after completing keeps the module complete', async () => {
    await publishFixture({ slug: 'kort', small: true });
    await completeSmall(agent, 'kort');
    const completedAt = (await ProgressModel.findById(progressId(staff.id, 'kort', 1)).lean())?.completedAt;
    expect(completedAt).to.be.instanceOf(Date);

    await act(agent, '/moduler/kort/lytte', 'tanker', { text: '' });

    const after = await ProgressModel.findById(progressId(staff.id, 'kort', 1)).lean();
    expect(after?.completedAt?.toISOString()).to.equal(completedAt!.toISOString());
    expect(await CompletionModel.countDocuments({ userId: staff.id })).to.equal(1);
    expect((await agent.get('/moduler/kort/').expect(200)).text).to.contain('Du har fullført modulen');
  });

  it('reflections and notes: visible to their writer only – never to a leader, an admin or an author, on any page or export', async () => {
    await publishFixture();
    await act(agent, '/moduler/samtaler/lytte', 'tanker', { text: SECRET });
    await act(agent, '/moduler/samtaler/sporre', 'prov', { tried: 'true', note: NOTE });

    const own = await agent.get('/mine-kurs/laeringslogg').expect(200);
    expect(own.text).to.contain(SECRET).and.to.contain(NOTE);
    const markdown = await agent.get('/mine-kurs/laeringslogg/markdown').expect(200);
    expect(markdown.headers['content-type']).to.contain('text/markdown');
    expect(markdown.text).to.contain(`> ${SECRET}`).and.to.contain(NOTE).and.to.contain('# Læringslogg for Kari Nordmann');
    const pdf = await agent.get('/mine-kurs/laeringslogg/pdf').expect(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    const ownData = await exportOwnData({ ...sessionUser(staff.id, []), name: 'Kari Nordmann' });
    expect(JSON.stringify(ownData)).to.contain(SECRET).and.to.contain(NOTE);

    const others = [
      await createUser({ memberships: [{ unitId, role: 'leder' }] }),
      await createUser({ roles: ['municipal-admin'] }),
      await createUser({ roles: ['system-admin'] }),
      await createUser({ roles: ['author'] }),
    ];
    for (const other of others) {
      const otherAgent = await signIn(app, other.email);
      for (const path of ['/mine-kurs', '/mine-kurs/laeringslogg', '/mine-kurs/laeringslogg/markdown', '/moduler/samtaler/', '/moduler/samtaler/lytte', '/moduler/samtaler/sporre', `/admin/personer/${staff.id}`, '/mine-data/last-ned']) {
        const res = await otherAgent.get(path);
        expect(res.text, `${path} as ${other.email}`).not.to.contain(SECRET);
        expect(res.text, `${path} as ${other.email}`).not.to.contain(NOTE);
      }
    }
  });

  it('anonymisation wipes reflection texts and notes but keeps progress and the completion fact', async () => {
    await publishFixture({ small: true });
    await completeSmall(agent, 'samtaler', SECRET);
    const admin = await createUser({ roles: ['system-admin'] });
    const actor = sessionUser(admin.id, ['system-admin']);

    await setAccountStatus(actor, staff.id, 'deactivated');
    await anonymisePerson(actor, staff.id);

    const stored = await ProgressModel.findById(progressId(staff.id, 'samtaler', 1)).lean<{ activities: Record<string, { text?: string }>; completedAt: Date }>();
    expect(stored!.activities.tanker!.text).to.equal('');
    expect(stored!.completedAt).to.be.instanceOf(Date);
    expect(await CompletionModel.countDocuments({ userId: staff.id })).to.equal(1);
    expect(JSON.stringify(await ProgressModel.find({}).lean())).not.to.contain(SECRET);
  });

  it('certificates: the owner downloads theirs; anyone else gets 403 for it, an unknown code 404; /bevis explains a bad code', async () => {
    await publishFixture({ small: true });
    await completeSmall(agent, 'samtaler');
    const code = (await CompletionModel.findById(progressId(staff.id, 'samtaler', 1)).lean())!.certificateCode;
    const colleague = await signIn(app, (await createUser({ memberships: [{ unitId, role: 'leder' }] })).email);
    const admin = await signIn(app, (await createUser({ roles: ['system-admin'] })).email);

    expect((await agent.get(`/mine-kurs/kursbevis/${code}.pdf`)).status).to.equal(200);
    expect((await colleague.get(`/mine-kurs/kursbevis/${code}.pdf`)).status).to.equal(403);
    expect((await admin.get(`/mine-kurs/kursbevis/${code}.pdf`)).status).to.equal(403);
    expect((await agent.get('/mine-kurs/kursbevis/AAAA-BBBB-CCCC.pdf')).status).to.equal(404);

    const typed = await request(app).get('/bevis').query({ kode: code.toLowerCase() });
    expect(typed.status).to.equal(303);
    expect(typed.headers.location).to.equal(`/bevis/${code}`);
    const bad = await request(app).get('/bevis').query({ kode: 'ikke en kode' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('ikke en gyldig kontrollkode').and.to.contain('aria-invalid="true"');
    const unknown = await request(app).get('/bevis/AAAA-BBBB-CCCC');
    expect(unknown.status).to.equal(404);
    expect(unknown.text).to.contain('fant ikke noe kursbevis');
  });

  it('Mine kurs: the nynorsk translation is offered beside the bokmål module, not listed twice; a theme filter works without JavaScript', async () => {
    await publishFixture({ themes: ['medvirkning'] });
    await publishFixture({ slug: 'samtaler-nn', title: 'Samtalar', language: 'nn', translationOf: 'samtaler', themes: ['medvirkning'] });
    await publishFixture({ slug: 'annet', title: 'Noe om inkludering', themes: ['inkludering'] });

    const all = await agent.get('/mine-kurs').expect(200);
    expect(all.text).to.contain('href="/moduler/samtaler-nn/"').and.to.contain('Les på nynorsk');
    expect(all.text).not.to.contain('>Samtalar<');
    const filtered = await agent.get('/mine-kurs').query({ tema: 'inkludering' }).expect(200);
    expect(filtered.text).to.contain('Noe om inkludering').and.not.to.contain('Testmodul samtaler');
    expect(filtered.text).to.match(/<option value="inkludering" selected>/);
  });
});
