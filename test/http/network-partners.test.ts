import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { createUser, csrfToken, signIn, TEST_PASSWORD, type Agent } from '../helpers/auth.js';
import { declaredRoutes } from '../helpers/route-table.js';
import { networkScene } from '../helpers/network-scene.js';
import { between, pick, prng } from '../helpers/prng.js';
import { identifyingDetails } from '../../src/components/networks/identifying.js';
import { anonymiseNetworks, networkDataOf } from '../../src/components/networks/privacy.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

interface StoredReport {
  _id: string;
  personId: string;
  report: string;
  summary: string;
  shared: boolean;
}
const reports = () => mongoose.connection.db!.collection<StoredReport>('network_reports');
const networksCollection = () => mongoose.connection.db!.collection<{ _id: string; partners?: Array<{ id: string }> }>('networks');
const dayOffset = (days: number) => isoDate(new Date(todayDateOnly().getTime() + days * 86_400_000));

type TestUser = { id: string; email: string };

// ——— The property-style check of names and dates ———

/** Ordinary sentences from a gathering's task: they never name a child or give a date. */
const ORDINARY = [
  'Vi brukte pedagogisk analyse i teamet.',
  'Barna fikk velge aktivitet selv, og det ga mer lek.',
  'Vi samarbeidet med PPT om tiltakene.',
  'Etter samlingen prøvde vi ut språkgrupper på avdelingen.',
  'Det var nyttig å snakke med SFO om overgangene.',
  'Noen barn trengte mer tid; vi justerte planen.',
  'Vi har laget en felles rutine for foreldresamtaler.',
  'Personalet i Nordbyen opplevde at det ga ro i garderoben.',
  'Tre av fire ansatte sa at de vil fortsette.',
  'Det fungerte best i små grupper: Vi holdt det enkelt.',
  'Neste gang vil vi teste dette i flere grupper.',
  'Vi delte erfaringer om overgangen fra barnehage til skole.',
  '«Hva gjør vi nå?» spurte en av de ansatte.',
  'Vi så at de yngste barna lekte lenger ute.',
  '- Vi tok med oss: mer tid til samtaler.',
  'Helsesykepleier var med på ett av møtene.',
  'Oppgaven var krevende, men lærerik for hele personalgruppen.',
  'Vi fant ut at 5 år gamle barn liker å være med på å planlegge.',
  '(Vi brukte planen fra forrige samling.) Det hjalp.',
  '«Vi prøver igjen.» Det sa hele teamet.',
];

/** A made-up child's name from syllables (capitalised), so the check cannot know it from a list. */
const SYLLABLES = ['ka', 'ri', 'no', 'la', 'mi', 'ta', 'se', 'li', 'va', 'jo', 'em', 'an', 'da', 'ro', 'ul', 'ben', 'tor', 'vik'];
const KNOWN_NAMES = ['Emma', 'Noah', 'Linnea', 'Isak', 'Amina', 'Olav', 'Sofie', 'Yusuf'];
const MONTHS = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'desember'];
/** Places in a sentence where a name stands after a lower-case word (a made-up name can only be found there). */
const NAME_MIDDLE = ['Vi så at {x} trengte mer støtte i leken.', 'En gutt, {x}, ville ikke være med.', 'Foreldrene til {x} var med på møtet.', 'I dag lekte {x} lenge alene.'];
/** A name from the list is found anywhere, at the start of a sentence too. */
const NAME_ANYWHERE = [...NAME_MIDDLE, '{x} var lei seg hele uka.', '{x} (5 år) ble med til slutt.'];
const DATE_SENTENCES = ['Barnet ble født {x}.', 'Vi hadde møte {x} med foreldrene.', 'Fra {x} fikk gruppa ny plan.', 'Nummeret {x} sto på arket.'];

function madeUpName(random: () => number): string {
  const word = Array.from({ length: between(random, 2, 3) }, () => pick(random, SYLLABLES)).join('');
  return word[0]!.toUpperCase() + word.slice(1);
}

function date(random: () => number): string {
  const d = between(random, 1, 28);
  const m = between(random, 1, 12);
  const y = between(random, 2012, 2025);
  const pad = (n: number) => String(n).padStart(2, '0');
  return pick(random, [`${pad(d)}.${pad(m)}.${y}`, `${d}.${m}.${String(y).slice(2)}`, `${y}-${pad(m)}-${pad(d)}`, `${d}. ${pick(random, MONTHS)} ${y}`, `${d}. ${pick(random, MONTHS)}`, `${d}/${m}/${y}`]);
}

function birthNumber(random: () => number): string {
  const digits = Array.from({ length: 11 }, () => between(random, 0, 9)).join('');
  return random() < 0.5 ? digits : `${digits.slice(0, 6)} ${digits.slice(6)}`;
}

function ordinaryText(random: () => number): string {
  return Array.from({ length: between(random, 1, 4) }, () => pick(random, ORDINARY)).join(random() < 0.3 ? '\n' : ' ');
}

/** An ordinary text with one sentence put in among its sentences. */
function withSentence(random: () => number, sentence: string): string {
  const parts = Array.from({ length: between(random, 0, 3) }, () => pick(random, ORDINARY));
  parts.splice(between(random, 0, parts.length), 0, sentence);
  return parts.join(' ');
}

describe('networks: the check of a shared summary for names, dates and fødselsnummer (seeded property test)', () => {
  const random = prng(22_2027);
  const units = ['Solsikken barnehage', 'Nordbyen skole', 'PPT Sentrum'];

  it('ordinary sentences always pass (500 seeded texts)', () => {
    for (let i = 0; i < 500; i += 1) {
      const text = ordinaryText(random);
      expect(identifyingDetails(text, units), text).to.deep.equal([]);
    }
  });

  it('a text with a generated child’s name in a sentence is always refused, and the finding names it (500 seeded texts)', () => {
    for (let i = 0; i < 500; i += 1) {
      const known = random() < 0.4;
      const name = known ? pick(random, KNOWN_NAMES) : madeUpName(random);
      const text = withSentence(random, pick(random, known ? NAME_ANYWHERE : NAME_MIDDLE).replace('{x}', name));
      const findings = identifyingDetails(text, units);
      expect(findings.some((f) => f.kind === 'name' && f.text === name), text).to.equal(true);
    }
  });

  it('a text with a date, a birth date or an 11-digit number is always refused (500 seeded texts)', () => {
    for (let i = 0; i < 500; i += 1) {
      const number = random() < 0.25;
      const value = number ? birthNumber(random) : date(random);
      const text = withSentence(random, pick(random, DATE_SENTENCES).replace('{x}', value));
      const findings = identifyingDetails(text, units);
      expect(findings.some((f) => f.kind === (number ? 'number' : 'date') && f.text === value), text).to.equal(true);
    }
  });

  it('«født» alone is refused; unit names and acronyms of the municipality are not names', () => {
    expect(identifyingDetails('Hun er født i vinter.').map((f) => f.kind)).to.deep.equal(['born']);
    expect(identifyingDetails('Vi var på besøk i Solsikken barnehage og hos PPT Sentrum.', units)).to.deep.equal([]);
    expect(identifyingDetails('Vi var på besøk i Blåklokka barnehage.', units).map((f) => f.text)).to.deep.equal(['Blåklokka']);
  });
});

// ——— Over HTTP ———

describe('http: network reports, shared anonymous summaries and external partners', function () {
  this.timeout(90_000);
  let app: Express;
  let kindergarten: string;
  let school: string;
  let admin: Agent;
  let coordinator: Agent;
  let coordinatorUser: TestUser;
  let leaderAUser: TestUser;
  let kari: TestUser;
  let ola: TestUser;
  let partnerUser: TestUser;
  let networkId: string;
  let otherNetworkId: string;
  let gatheringId: string;
  let laterId: string;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    const scene = await networkScene(app);
    ({ kindergarten, school, coordinatorUser, admin, coordinator } = scene);
    const { ppt } = scene;
    leaderAUser = await createUser({ name: 'Siri Dahl', memberships: [{ unitId: kindergarten, role: 'leder' }] });
    kari = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId: kindergarten, role: 'ansatt' }] });
    ola = await createUser({ name: 'Ola Hansen', memberships: [{ unitId: kindergarten, role: 'ansatt' }] });
    partnerUser = await createUser({ name: 'Una Universitet', email: `una-${Date.now()}@uni.example` });
    const leaderA = await signIn(app, leaderAUser.email);

    const create = async (name: string) => {
      const token = await csrfToken(admin, '/admin/nettverk');
      const res = await admin
        .post('/admin/nettverk')
        .type('form')
        .send({ _csrf: token, name, themes: 'språk', from: dayOffset(-30), to: dayOffset(300), units: [kindergarten, school, ppt], coordinators: coordinatorUser.email });
      expect(res.status, res.text.slice(0, 1000)).to.equal(303);
      return /\/admin\/nettverk\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
    };
    networkId = await create('Laget rundt barna – Nordbyen');
    otherNetworkId = await create('Overganger – Sør');
    const token = await csrfToken(leaderA, '/mine-kurs');
    expect((await leaderA.post(`/leder/${kindergarten}/nettverk/${networkId}/deltakere`).type('form').send({ _csrf: token, participants: [kari.id, ola.id] })).status).to.equal(303);
    const plan = async (fields: Record<string, string>) => {
      const t = await csrfToken(coordinator, `/nettverk/${networkId}`);
      const res = await coordinator.post(`/nettverk/${networkId}/samlinger`).type('form').send({ _csrf: t, title: 'Samling 1: Språk', date: dayOffset(0), time: '00:05', place: 'Rådhuset', agenda: '## Program\n\n- Teammøte', activity: '', ...fields });
      expect(res.status, res.text.slice(0, 1000)).to.equal(303);
      return /\/samlinger\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;
    };
    gatheringId = await plan({});
    laterId = await plan({ title: 'Samling 2', date: dayOffset(14), time: '09:00' });
    const t = await csrfToken(coordinator, '/mine-kurs');
    await coordinator.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppsummering`).type('form').send({ _csrf: t, summary: 'Vi gikk gjennom **pedagogisk analyse**.', task: 'Prøv én analyse på avdelingen.' }).expect(303);
    await coordinator.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppmote`).type('form').send({ _csrf: t, present: [kari.id] }).expect(303);
  });

  async function sendReport(agent: Agent, fields: Record<string, string>, gathering = gatheringId) {
    const token = await csrfToken(agent, '/mine-kurs');
    return agent.post(`/nettverk/${networkId}/samlinger/${gathering}/rapport`).type('form').send({ _csrf: token, ...fields });
  }

  it('a participant’s report is private; a summary is shared only when ticked, without name or unit, for everyone in the network', async () => {
    const kariAgent = await signIn(app, kari.email);
    const page = await kariAgent.get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200);
    // The form: the private report, the summary in a fieldset with the reminder, the box not ticked.
    expect(page.text).to.contain(`action="/nettverk/${networkId}/samlinger/${gatheringId}/rapport"`).and.to.contain('name="_csrf"');
    expect(page.text).to.match(/<input type="checkbox" id="share" name="share" value="yes" aria-describedby="share-reminder">/);
    expect(page.text).to.contain('<legend>').and.to.contain('id="share-reminder"');

    // Not ticked: the report and the summary are kept for Kari only.
    expect((await sendReport(kariAgent, { report: 'Min private tanke om <b>Emma</b>.', summary: 'Vi prøvde analyse i teamet.' })).status).to.equal(303);
    let stored = await reports().findOne({ personId: kari.id });
    expect(stored).to.include({ report: 'Min private tanke om <b>Emma</b>.', summary: 'Vi prøvde analyse i teamet.', shared: false });
    const own = await kariAgent.get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200);
    expect(own.text).to.contain('Min private tanke om &lt;b&gt;Emma&lt;/b&gt;.').and.not.to.contain('<b>Emma</b>');
    for (const agent of [coordinator, admin, await signIn(app, ola.email), await signIn(app, leaderAUser.email)]) {
      const other = await agent.get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200);
      expect(other.text).not.to.contain('Min private tanke').and.not.to.contain('Vi prøvde analyse i teamet.');
    }

    // Ticked: shared; everyone who may see the network reads it, without Kari's name or unit.
    const shared = await sendReport(kariAgent, { report: 'Min private tanke.', summary: 'Vi prøvde <i>analyse</i> i teamet, og det ga ro.', share: 'yes' });
    expect(shared.status).to.equal(303);
    stored = await reports().findOne({ personId: kari.id });
    expect(stored).to.include({ shared: true });
    const olaPage = await (await signIn(app, ola.email)).get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200);
    const section = olaPage.text.slice(olaPage.text.indexOf('id="shared-heading"'), olaPage.text.indexOf('</section>', olaPage.text.indexOf('id="shared-heading"')));
    expect(section).to.contain('Vi prøvde &lt;i&gt;analyse&lt;/i&gt; i teamet, og det ga ro.').and.not.to.contain('Kari').and.not.to.contain('Solsikken');
    expect(olaPage.text).not.to.contain('Min private tanke');

    // Unticking takes the summary back.
    expect((await sendReport(kariAgent, { report: 'Min private tanke.', summary: 'Vi prøvde analyse i teamet, og det ga ro.' })).status).to.equal(303);
    expect((await coordinator.get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200)).text).not.to.contain('det ga ro');
  });

  it('a summary naming a child, giving a date or a fødselsnummer is refused with what to remove; the text is kept and nothing is shared or stored', async () => {
    const kariAgent = await signIn(app, kari.email);
    const cases: Array<[string, string]> = [
      ['I dag ville Linnea ikke være med i samlingen.', '«Linnea» ser ut som et navn på en person.'],
      ['Vi snakket med Torvik om leken.', '«Torvik» ser ut som et navn på en person.'],
      ['Gutten som er født 12.03.2020 trengte mer tid.', '«12.03.2020» er en dato.'],
      ['Skjemaet hadde nummeret 12032012345 på seg.', '«12032012345» kan være et fødselsnummer (11 sifre).'],
    ];
    for (const [summary, message] of cases) {
      const res = await sendReport(kariAgent, { report: 'Privat.', summary, share: 'yes' });
      expect(res.status, summary).to.equal(400);
      expect(res.text).to.contain(message).and.to.contain('Ingenting er delt eller lagret.').and.to.contain('id="error-summary"');
      // The text as typed, and the box still ticked.
      expect(res.text).to.contain(summary).and.to.match(/id="share" name="share" value="yes" aria-describedby="share-reminder" checked/);
    }
    expect(await reports().countDocuments({})).to.equal(0);

    // The same text kept private (not ticked) is the writer's own: stored, not checked, not shown.
    expect((await sendReport(kariAgent, { report: 'Linnea', summary: 'Linnea ble med.' })).status).to.equal(303);
    expect(await reports().countDocuments({ shared: true })).to.equal(0);

    // Too long, or ticked without a text: a message each, nothing lost.
    const long = await sendReport(kariAgent, { report: 'Privat.', summary: 'a'.repeat(1001), share: 'yes' });
    expect(long.status).to.equal(400);
    expect(long.text).to.contain('høyst 1 000 tegn');
    const empty = await sendReport(kariAgent, { report: 'Privat tekst.', summary: '', share: 'yes' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Skriv en kort oppsummering før du deler').and.to.contain('Privat tekst.');
  });

  it('only participants report, and only from the day of the gathering: coordinator, leader and outsiders get 403; a coming gathering 400', async () => {
    for (const agent of [coordinator, admin, await signIn(app, leaderAUser.email)]) {
      expect((await sendReport(agent, { report: 'X' })).status).to.equal(403);
    }
    const kariAgent = await signIn(app, kari.email);
    const early = await sendReport(kariAgent, { report: 'For tidlig' }, laterId);
    expect(early.status).to.equal(400);
    expect(early.text).to.contain('fra den dagen samlingen holdes');
    expect(await reports().countDocuments({})).to.equal(0);
  });

  it('«Mine data» lists the reports and shared summaries; anonymisation deletes them', async () => {
    const kariAgent = await signIn(app, kari.email);
    expect((await sendReport(kariAgent, { report: 'Min rapport.', summary: 'Vi prøvde analyse.', share: 'yes' })).status).to.equal(303);
    const data = (await networkDataOf(kari.id)) as { reports: Array<{ report: string; summary: string; sharedWithNetwork: boolean; gathering: string }> };
    expect(data.reports).to.deep.equal([{ ...data.reports[0], report: 'Min rapport.', summary: 'Vi prøvde analyse.', sharedWithNetwork: true, gathering: 'Samling 1: Språk' }]);
    const download = await kariAgent.get('/mine-data/last-ned').expect(200);
    expect(download.text).to.contain('Min rapport.');
    await anonymiseNetworks(kari.id);
    expect(await reports().countDocuments({ personId: kari.id })).to.equal(0);
  });

  describe('external partner', () => {
    async function invite(email: string, network = networkId, name = '') {
      const token = await csrfToken(admin, `/admin/nettverk/${network}`);
      return admin.post(`/admin/nettverk/${network}/partnere`).type('form').send({ _csrf: token, email, name });
    }

    it('the administrator invites an existing account by e-mail, sees and removes partners; mistakes are 400 with the address kept', async () => {
      const unknown = await invite('ingen@uni.example');
      expect(unknown.status).to.equal(400);
      expect(unknown.text).to.contain('Skriv inn navnet til partneren').and.to.contain('value="ingen@uni.example"');
      expect((await invite('')).status).to.equal(400);
      expect((await invite(partnerUser.email.toUpperCase())).status).to.equal(303);
      // The existing account is told where the network is (no activation link: it has a password).
      const mails = await mongoose.connection.db!.collection<{ to: string; text: string; template: string }>('mail_outbox').find({ to: partnerUser.email }).toArray();
      expect(mails.map((m) => m.template)).to.deep.equal(['networks.partner-invitation']);
      expect(mails[0]!.text).to.contain('«Laget rundt barna – Nordbyen»').and.to.contain(`/nettverk/${networkId}`);
      const again = await invite(partnerUser.email);
      expect(again.status).to.equal(400);
      expect(again.text).to.contain('allerede invitert');
      const page = await admin.get(`/admin/nettverk/${networkId}`).expect(200);
      expect(page.text).to.contain('Una Universitet').and.to.contain(partnerUser.email);
      expect((await networksCollection().findOne({ _id: networkId }))!.partners!.map((p) => p.id)).to.deep.equal([partnerUser.id]);
      // Only the municipality invites.
      const token = await csrfToken(coordinator, '/mine-kurs');
      expect((await coordinator.post(`/admin/nettverk/${networkId}/partnere`).type('form').send({ _csrf: token, email: partnerUser.email })).status).to.equal(403);

      const removeToken = await csrfToken(admin, `/admin/nettverk/${networkId}`);
      expect((await admin.post(`/admin/nettverk/${networkId}/partnere/fjern`).type('form').send({ _csrf: removeToken, personId: partnerUser.id })).status).to.equal(303);
      expect((await networksCollection().findOne({ _id: networkId }))!.partners).to.deep.equal([]);
      expect((await (await signIn(app, partnerUser.email)).get(`/nettverk/${networkId}`)).status).to.equal(403);
    });

    it('a partner sees only the gatherings and the shared summaries — never participants, staff, attendance, reports, other networks or unit pages', async () => {
      const kariAgent = await signIn(app, kari.email);
      expect((await sendReport(kariAgent, { report: 'Hemmelig rapport.', summary: 'Analysen ga oss et felles språk.', share: 'yes' })).status).to.equal(303);
      expect((await sendReport(await signIn(app, ola.email), { report: 'Olas rapport.', summary: 'Ikke delt tekst.' })).status).to.equal(303);
      const partner = await signIn(app, partnerUser.email);
      // Before the invitation: nothing.
      expect((await partner.get(`/nettverk/${networkId}`)).status).to.equal(403);
      expect((await invite(partnerUser.email)).status).to.equal(303);

      const mine = await partner.get('/nettverk').expect(200);
      expect(mine.text).to.contain('Laget rundt barna – Nordbyen').and.to.contain('Ekstern partner').and.not.to.contain('Overganger – Sør');

      const secret = ['Kari Nordmann', 'Ola Hansen', 'Pia Rådgiver', 'Siri Dahl', 'Solsikken', 'Hemmelig rapport', 'Olas rapport', 'Ikke delt tekst', 'oppmote', '/rapport"', 'name="present"', '/leder/'];
      const networkPage = await partner.get(`/nettverk/${networkId}`).expect(200);
      expect(networkPage.text).to.contain('Samling 1: Språk').and.to.contain('Samling 2').and.to.contain('Rådhuset').and.to.contain('ekstern partner');
      for (const s of secret) expect(networkPage.text, s).not.to.contain(s);
      const gathering = await partner.get(`/nettverk/${networkId}/samlinger/${gatheringId}`).expect(200);
      expect(gathering.text).to.contain('<strong>pedagogisk analyse</strong>').and.to.contain('Prøv én analyse på avdelingen.').and.to.contain('Analysen ga oss et felles språk.').and.to.contain('Teammøte');
      for (const s of secret) expect(gathering.text, s).not.to.contain(s);

      // What a partner may not reach.
      const token = await csrfToken(partner, '/mine-kurs');
      expect((await partner.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppmote`).type('form').send({ _csrf: token, present: [kari.id] })).status).to.equal(403);
      expect((await partner.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppsummering`).type('form').send({ _csrf: token, summary: 'X' })).status).to.equal(403);
      expect((await partner.post(`/nettverk/${networkId}/samlinger/${gatheringId}/rapport`).type('form').send({ _csrf: token, report: 'X' })).status).to.equal(403);
      expect((await partner.post(`/nettverk/${networkId}/samlinger`).type('form').send({ _csrf: token, title: 'X' })).status).to.equal(403);
      expect((await partner.get(`/nettverk/${otherNetworkId}`)).status).to.equal(403);
      expect((await partner.get(`/nettverk/${networkId}/samlinger/00000000-0000-4000-8000-000000000000`)).status).to.equal(404);
      for (const path of [`/leder/${kindergarten}/nettverk`, `/leder/${kindergarten}/tildelinger`, `/leder/${school}/teammoter`, '/kommune/rapport', `/admin/nettverk/${networkId}`, '/admin/nettverk']) {
        expect((await partner.get(path)).status, path).to.equal(403);
      }
      // This network's gathering through another network's path: that network decides first (403).
      expect((await partner.get(`/nettverk/${otherNetworkId}/samlinger/${gatheringId}`)).status).to.equal(403);
      expect(await reports().countDocuments({ personId: partnerUser.id })).to.equal(0);
    });

    it('a partner without an account: the administrator gives name and e-mail, an invited account with no role or unit is created, the activation mail leads to a password and the partner pages', async () => {
      const address = `per-${Date.now()}@uni.example`;
      const people = () => mongoose.connection.db!.collection<{ email: string; status: string; roles: string[]; memberships: unknown[]; passwordHash: string | null }>('users');
      const outbox = () => mongoose.connection.db!.collection<{ to: string; text: string; template: string }>('mail_outbox');

      // Bad input: clear messages, the input kept, nothing written.
      const noName = await invite(address);
      expect(noName.status).to.equal(400);
      expect(noName.text).to.contain('Ingen har en konto med denne e-postadressen. Skriv inn navnet til partneren').and.to.contain(`value="${address}"`);
      const badEmail = await invite('per(at)uni.example', networkId, 'Per Professor');
      expect(badEmail.status).to.equal(400);
      expect(badEmail.text).to.contain('Skriv en gyldig e-postadresse').and.to.contain('value="Per Professor"');
      const staff = await invite(kari.email, networkId, 'Kari Nordmann');
      expect(staff.status).to.equal(400);
      expect(staff.text).to.contain('tilhører en ansatt i kommunen');
      await networksCollection().updateOne({ _id: otherNetworkId }, { $set: { status: 'closed' } });
      const closed = await invite(address, otherNetworkId, 'Per Professor');
      expect(closed.status).to.equal(400);
      expect(await people().countDocuments({ email: address })).to.equal(0);
      expect(await outbox().countDocuments({ to: address })).to.equal(0);
      expect((await networksCollection().findOne({ _id: networkId }))!.partners).to.deep.equal([]);

      // The invitation: an account with no platform role and no unit, invited (no password), and one mail.
      const res = await invite(address.toUpperCase(), networkId, 'Per Professor');
      expect(res.status).to.equal(303);
      expect((await admin.get(`/admin/nettverk/${networkId}`)).text).to.contain('Det er opprettet en konto').and.to.contain('Per Professor');
      const stored = (await people().findOne({ email: address }))!;
      expect(stored).to.include({ status: 'invited', passwordHash: null });
      expect(stored.roles).to.deep.equal([]);
      expect(stored.memberships).to.deep.equal([]);
      expect((await networksCollection().findOne({ _id: networkId }))!.partners!.map((p) => p.id)).to.deep.equal([String((stored as unknown as { _id: unknown })._id)]);
      const mails = await outbox().find({ to: address }).toArray();
      expect(mails.map((m) => m.template)).to.deep.equal(['accounts.activation']);
      const link = /\/passord\/ny\/[A-Za-z0-9_-]+/.exec(mails[0]!.text)![0];

      // The partner sets a password with the link, logs in, and is led to the network's gatherings only.
      const visitor = (await import('supertest')).default.agent(app);
      const page = await visitor.get(link).expect(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const set = await visitor.post(link).type('form').send({ _csrf: csrf, password: TEST_PASSWORD, passwordConfirm: TEST_PASSWORD });
      expect(set.status).to.equal(303);
      expect(set.headers.location).to.equal('/logg-inn');
      expect((await people().findOne({ email: address }))!.status).to.equal('active');
      const partner = await signIn(app, address);
      const start = await partner.get('/mine-kurs').expect(200);
      expect(start.text).to.contain('Du er invitert som ekstern partner i nettverket Laget rundt barna – Nordbyen').and.to.contain(`href="/nettverk/${networkId}"`);
      const networkPage = await partner.get(`/nettverk/${networkId}`).expect(200);
      expect(networkPage.text).to.contain('Samling 1: Språk').and.not.to.contain('Kari Nordmann');

      // Invited again to another network, the account is found: no second account, and the mail
      // says where the new network is instead of sending another activation link.
      await networksCollection().updateOne({ _id: otherNetworkId }, { $set: { status: 'open' } });
      expect((await invite(address, otherNetworkId, 'Per P.')).status).to.equal(303);
      expect(await people().countDocuments({ email: address })).to.equal(1);
      const after = await outbox().find({ to: address }).toArray();
      expect(after.map((m) => m.template)).to.deep.equal(['accounts.activation', 'networks.partner-invitation']);
      expect(after[1]!.text).to.contain(`/nettverk/${otherNetworkId}`);
    });

    it('a partner gets 403 or 404 on every staff list, progress and report route the endpoint manifest declares', async () => {
      expect((await invite(partnerUser.email)).status).to.equal(303);
      const partner = await signIn(app, partnerUser.email);
      const fill: Record<string, string> = { unitId: kindergarten, personId: kari.id, networkId, districtId: '000000000000000000000000' };
      const routes = declaredRoutes(app).filter((r) => r.methods.includes('get') && /^\/(kommune\/rapport|leder|admin)(\/|$)/.test(r.path));
      expect(routes.length).to.be.greaterThan(10);
      expect(routes.map((r) => r.path)).to.include.members(['/kommune/rapport', '/kommune/rapport/eksport.csv', '/leder/enheter/:unitId', '/leder/enheter/:unitId/personer/:personId', '/leder/:unitId/nettverk']);
      for (const route of routes) {
        const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => fill[name] ?? '000000000000000000000000');
        const res = await partner.get(path);
        expect([403, 404], `${path} answered ${res.status}`).to.include(res.status);
        expect(res.text).not.to.contain('Kari Nordmann');
      }
    });

    it('anonymising a partner ends their access', async () => {
      expect((await invite(partnerUser.email)).status).to.equal(303);
      await anonymiseNetworks(partnerUser.id);
      expect((await networksCollection().findOne({ _id: networkId }))!.partners).to.deep.equal([]);
    });
  });
});
