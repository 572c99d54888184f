import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../../helpers/auth.js';
import { publishFromFolder } from '../../../src/components/modules/index.js';
import { paths } from '../../../src/config/index.js';
import { completeModule } from '../../helpers/learning-fixture.js';

/**
 * CSV formula injection (OWASP): a spreadsheet runs a text cell that starts with =, +, -, @, tab or
 * carriage return. Every export must neutralise such cells (CSV: a leading apostrophe; XLSX: a
 * string cell, never a formula).
 */
const DANGEROUS_NAMES = ['=HYPERLINK("http://evil.example","klikk")', '+1+1', '-2+3', '@SUM(A1:A2)', '\tTabulator', '\rVognretur', "=cmd|' /C calc'!A0"];
const DANGEROUS_UNIT = '=1+2 Enhet';

/** Splits one CSV line on semicolons outside quotes and removes the quoting. */
function cells(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** Records split on CRLF outside quotes (a name may hold a lone CR inside quotes). */
function records(csv: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i += 1) {
    const ch = csv[i]!;
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '\r' && csv[i + 1] === '\n') {
      out.push(current);
      current = '';
      i += 1;
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

function assertCsvSafe(csv: string, label: string, mustContain: string[]): void {
  const all = records(csv.replace(/^\uFEFF/, '')).flatMap(cells);
  for (const cell of all) expect(cell, `${label}: cell ${JSON.stringify(cell)}`).not.to.match(/^[=+\-@\t\r]/);
  // Names are stored trimmed, so a leading tab or CR never reaches an export; the rest must be prefixed.
  for (const name of mustContain) expect(all, `${label}: ${JSON.stringify(name)} neutralised`).to.include(name === name.trim() ? `'${name}` : name.trim());
}

async function assertXlsxSafe(body: Buffer, label: string, mustContain: string[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const strings: string[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type, `${label}: ${sheet.name}!${cell.address} is not a formula`).not.to.equal(ExcelJS.ValueType.Formula);
        expect(cell.formula, `${label}: ${cell.address}`).to.equal(undefined);
        if (typeof cell.value === 'string') strings.push(cell.value);
      });
    });
  });
  for (const name of mustContain) expect(strings.some((s) => s.includes(name.trim())), `${label}: ${JSON.stringify(name)} present as text`).to.equal(true);
}

async function binary(agent: Agent, path: string): Promise<{ status: number; body: Buffer; type: string }> {
  const res = await agent
    .get(path)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { status: res.status, body: res.body as Buffer, type: String(res.headers['content-type']) };
}

describe('http adversarial: formula injection in every export', function () {
  this.timeout(120_000);
  let app: Express;
  let unit: string;
  let leader: Agent;
  let admin: Agent;

  before(async () => {
    await clearDatabase();
    app = await buildTestApp();
    unit = await createUnit(DANGEROUS_UNIT, 'barnehage', '@Bydel');
    const [published] = await publishFromFolder(`${paths.root}/test/fixtures/modules-valid`, { by: { id: null, name: 'formler' } });
    for (const name of DANGEROUS_NAMES) {
      const person = await createUser({ name, memberships: [{ unitId: unit, role: 'ansatt' }] });
      await completeModule(person.id, unit, `${published!.slug}@1.0`);
    }
    const boss = await createUser({ name: '-Leder', memberships: [{ unitId: unit, role: 'leder' }] });
    const municipal = await createUser({ roles: ['municipal-admin'] });
    leader = await signIn(app, boss.email);
    admin = await signIn(app, municipal.email);
  });

  it('unit dashboard CSV, names and unit starting with = + - @ tab CR: every text cell neutralised', async () => {
    const res = await binary(leader, `/leder/enheter/${unit}/eksport.csv`);
    expect(res.status).to.equal(200);
    expect(res.type).to.match(/^text\/csv/);
    assertCsvSafe(res.body.toString('utf8'), 'unit CSV', DANGEROUS_NAMES);
  });

  it('unit dashboard XLSX, the same names: string cells, no formula anywhere', async () => {
    const res = await binary(leader, `/leder/enheter/${unit}/eksport.xlsx`);
    expect(res.status).to.equal(200);
    await assertXlsxSafe(res.body, 'unit XLSX', DANGEROUS_NAMES);
  });

  it('municipal report CSV, unit and district names starting with = and @: neutralised', async () => {
    const res = await binary(admin, '/kommune/rapport/eksport.csv');
    expect(res.status).to.equal(200);
    assertCsvSafe(res.body.toString('utf8'), 'municipal CSV', [DANGEROUS_UNIT]);
  });

  it('municipal report XLSX: string cells, no formula anywhere', async () => {
    const res = await binary(admin, '/kommune/rapport/eksport.xlsx');
    expect(res.status).to.equal(200);
    await assertXlsxSafe(res.body, 'municipal XLSX', [DANGEROUS_UNIT]);
  });
});
