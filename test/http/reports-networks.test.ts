import { expect } from 'chai';
import request from 'supertest';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { networkScene } from '../helpers/network-scene.js';
import { doActivities } from '../helpers/progress.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';
import { protectedSection } from '../../src/components/reports/network-section/index.js';

/**
 * The network section of the measure-3 report: network participation per unit type through the
 * report's small-cell suppression and audit, on the page, in the CSV, the XLSX and the print view.
 */

const dayOffset = (days: number) => isoDate(new Date(todayDateOnly().getTime() + days * 86_400_000));

/** The section's table as rows of cell texts (header cell first). */
function sectionRows(html: string, id: string): string[][] {
  const start = html.indexOf(`id="${id}-table"`);
  expect(start, `section ${id}`).to.be.greaterThan(-1);
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.trim().replace('&lt;', '<')));
}

/**
 * A reader's arithmetic over one column: the shown types and the shown total. If the total is shown,
 * the hidden types add up to what is left; that must be at least 5 unless nothing is hidden.
 */
function columnLeavesNoSmallCellAlone(rows: string[][], column: number): void {
  const total = rows.at(-1)![column]!;
  const types = rows.slice(0, -1).map((r) => r[column]!);
  const hidden = types.filter((v) => v === '<5');
  if (total === '<5' || !hidden.length) return;
  const rest = Number(total) - types.filter((v) => v !== '<5').reduce((s, v) => s + Number(v), 0);
  expect(hidden.length, `column ${column}: one hidden cell alone`).to.be.greaterThan(1);
  expect(rest, `column ${column}: hidden cells add up to under 5`).to.be.at.least(5);
}

async function xlsxText(buffer: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as never);
  const values: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => values.push(row.values instanceof Array ? row.values.slice(1).map((v) => String(v ?? '')).join('|') : '')));
  return values.join('\n');
}

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('http: measure-3 report – learning network section', function () {
  this.timeout(180_000);
  let app: Express;
  let admin: Agent;
  let coordinator: Agent;
  let networkId: string;
  let present: string[];

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    const scene = await networkScene(app);
    const { kindergarten, school, ppt, coordinatorUser } = scene;
    ({ admin, coordinator } = scene);
    const kgLeader = await signIn(app, (await createUser({ memberships: [{ unitId: kindergarten, role: 'leder' }] })).email);
    const schoolLeader = await signIn(app, (await createUser({ memberships: [{ unitId: school, role: 'leder' }] })).email);
    const kg = [];
    for (let i = 0; i < 6; i += 1) kg.push(await createUser({ name: `Barnehage Ansatt ${i}`, memberships: [{ unitId: kindergarten, role: 'ansatt' }] }));
    const teachers = [await createUser({ memberships: [{ unitId: school, role: 'ansatt' }] }), await createUser({ memberships: [{ unitId: school, role: 'ansatt' }] })];

    // Through the real pages: the admin creates the network, the leaders appoint, the coordinator records.
    let token = await csrfToken(admin, '/admin/nettverk');
    const created = await admin
      .post('/admin/nettverk')
      .type('form')
      .send({ _csrf: token, name: 'Laget rundt barna – Nordbyen', themes: 'språk', from: dayOffset(-30), to: dayOffset(300), units: [kindergarten, school, ppt], coordinators: coordinatorUser.email });
    expect(created.status, created.text.slice(0, 500)).to.equal(303);
    networkId = /\/admin\/nettverk\/([0-9a-f-]{36})$/.exec(String(created.headers.location))![1]!;
    for (const [agent, unitId, people] of [[kgLeader, kindergarten, kg], [schoolLeader, school, teachers]] as const) {
      token = await csrfToken(agent, '/mine-kurs');
      expect((await agent.post(`/leder/${unitId}/nettverk/${networkId}/deltakere`).type('form').send({ _csrf: token, participants: people.map((p) => p.id) })).status).to.equal(303);
    }
    for (const person of [kg[0]!, kg[1]!, teachers[0]!]) await doActivities(person.id, kindergarten, 'samtaler@1.0', { skipTeamSession: true });
    token = await csrfToken(coordinator, `/nettverk/${networkId}`);
    const planned = await coordinator
      .post(`/nettverk/${networkId}/samlinger`)
      .type('form')
      .send({ _csrf: token, title: 'Samling 1', date: dayOffset(0), time: '00:05', place: 'Rådhuset', agenda: '', activity: 'samtaler/team' });
    expect(planned.status, planned.text.slice(0, 500)).to.equal(303);
    const gatheringId = /\/samlinger\/([0-9a-f-]{36})$/.exec(String(planned.headers.location))![1]!;
    token = await csrfToken(coordinator, '/mine-kurs');
    present = [...kg, ...teachers].map((p) => p.id);
    expect((await coordinator.post(`/nettverk/${networkId}/samlinger/${gatheringId}/oppmote`).type('form').send({ _csrf: token, present })).status).to.equal(303);
  });

  it('municipal page: shows networks, gatherings held and participation per unit type, with the small school group hidden and never alone', async () => {
    const res = await admin.get('/kommune/rapport').expect(200);

    const section = res.text.slice(res.text.indexOf('id="network-heading"'));
    expect(section).to.contain('Læringsnettverk').and.to.contain('nettverk (1 åpne)').and.to.contain('samlinger holdt');
    const rows = sectionRows(res.text, 'network');
    const byLabel = new Map(rows.map((r) => [r[0]!, r.slice(1)]));
    // 8 participants: 6 from the kindergarten, 2 from the school; 8 attendances; 3 completed the module through the gathering.
    expect(byLabel.get('Hele kommunen')).to.deep.equal(['8', '8', '<5']);
    expect(byLabel.get('Skole')![0]).to.equal('<5');
    expect(byLabel.get('PPT')).to.deep.equal(['0', '0', '0']);
    for (const column of [1, 2, 3]) columnLeavesNoSmallCellAlone(rows, column);
    // A second gathering held: the next view is proven again with the new figures, not served from before.
    let token = await csrfToken(coordinator, `/nettverk/${networkId}`);
    const second = await coordinator.post(`/nettverk/${networkId}/samlinger`).type('form').send({ _csrf: token, title: 'Samling 2', date: dayOffset(0), time: '00:10', place: 'Rådhuset', agenda: '', activity: '' });
    token = await csrfToken(coordinator, '/mine-kurs');
    await coordinator.post(`${String(second.headers.location)}/oppmote`).type('form').send({ _csrf: token, present }).expect(303);
    const again = sectionRows((await admin.get('/kommune/rapport').expect(200)).text, 'network');
    expect(again.at(-1)).to.deep.equal(['Hele kommunen', '8', '16', '<5']);
    expect((await admin.get('/kommune/rapport').expect(200)).text).to.contain('<span class="figure">2</span> samlinger holdt');
    // What the section shows is stored: the gathering remembers who completed through it.
    const gathering = await mongoose.connection.db!.collection('network_gatherings').findOne({});
    expect((gathering as unknown as { completedBy: string[] }).completedBy).to.have.length(3);
  });

  it('exports and print: the same section in the CSV, the XLSX and the printable report, each logged as before', async () => {
    const csv = await admin.get('/kommune/rapport/eksport.csv').expect(200);
    expect(csv.text).to.contain('Læringsnettverk').and.to.contain('Nettverk: kommunen;Hele kommunen;8;8;<5').and.to.match(/Nettverk: enhetstype;Skole;<5;/);
    expect(csv.text.indexOf('\uFEFF', 1)).to.equal(-1);

    const xlsx = await admin.get('/kommune/rapport/eksport.xlsx').buffer(true).parse(binary).expect(200);
    const text = await xlsxText(xlsx.body as Buffer);
    expect(text).to.contain('Læringsnettverk').and.to.contain('Nettverk: kommunen|Hele kommunen|8|8|<5').and.to.match(/Nettverk: enhetstype\|Skole\|<5\|/);

    const print = await admin.get('/kommune/rapport/utskrift').expect(200);
    expect(sectionRows(print.text, 'p-network').at(-1)).to.deep.equal(['Hele kommunen', '8', '8', '<5']);

    const formats = (await mongoose.connection.db!.collection('report_audit').find({}).toArray()).map((e) => e.format);
    expect(formats).to.include.members(['csv', 'xlsx', 'print']);
  });
});

describe('reports: network section suppression (unit)', () => {
  const options = { typeLabel: (t: string) => t, municipalityLabel: 'Kommunen', publishedStaff: new Map<string, number | null>() };

  it('a single small type with a shown total: another type is hidden with it, and the gate passes without escalation', async () => {
    const people = [...Array.from({ length: 9 }, () => ({ unitId: 'kg', attended: 2, completed: 1 })), { unitId: 'ppt', attended: 1, completed: 0 }, { unitId: 'ppt', attended: 2, completed: 1 }];
    const section = await protectedSection({ networks: 1, openNetworks: 1, gatheringsHeld: 2, people }, (u) => (u === 'kg' ? 'barnehage' : 'ppt'), ['barnehage', 'ppt', 'skole'], options);

    const ppt = section.types.find((r) => r.type === 'ppt')!;
    expect(ppt.participants.suppressed && ppt.attended.suppressed && ppt.completed.suppressed).to.equal(true);
    for (const field of ['participants', 'attended', 'completed'] as const) {
      if (section.total[field].suppressed) continue;
      expect(section.types.filter((r) => r[field].suppressed).length, field).to.be.greaterThan(1);
    }
    expect(section.escalated).to.equal(false);
  });

  it('no gathering held: attendances and completions are known zeros, shown', async () => {
    const section = await protectedSection({ networks: 1, openNetworks: 1, gatheringsHeld: 0, people: [{ unitId: 'a', attended: 0, completed: 0 }] }, () => 'ppt', ['ppt'], options);
    expect(section.total.participants.suppressed).to.equal(true);
    expect(section.total.attended).to.deep.equal({ value: 0, suppressed: false });
  });
});
