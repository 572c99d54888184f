import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readCsv, checkStaffRows, checkUnitRows, STAFF_COLUMNS, UNIT_COLUMNS, IMPORT_MAX_BYTES, normaliseUnitType } from '../../src/components/imports/index.js';
import { paths } from '../../src/config/index.js';

const fixture = (name: string) => readFileSync(path.join(paths.root, 'test', 'fixtures', 'import', name));
const bytes = (text: string) => Buffer.from(text, 'utf8');

function rowsOf(input: Buffer, columns = STAFF_COLUMNS) {
  const result = readCsv(input, columns);
  if (!result.ok) throw new Error(`expected rows, got ${result.problem.key}`);
  return result;
}

function problemOf(input: Buffer, columns = STAFF_COLUMNS) {
  const result = readCsv(input, columns);
  if (result.ok) throw new Error('expected a problem');
  return result.problem;
}

describe('import: reading CSV files', () => {
  it('UTF-8 with BOM and semicolons: rows with their line numbers and values, BOM not in the first header', () => {
    const result = rowsOf(fixture('staff-valid.csv'));
    expect(result.delimiter).to.equal(';');
    expect(result.rows.map((r) => r.line)).to.deep.equal([2, 3, 4]);
    expect(result.rows[0]!.values).to.deep.equal({ name: 'Nora Olsen', email: 'nora.olsen@test.example', unit: '974760673', role: 'ansatt', externalId: '' });
    expect(result.rows[2]!.values.externalId).to.equal('ext-sara');
  });

  it('commas, CRLF and a quoted value with a comma: detected and read, æøå intact', () => {
    const result = rowsOf(fixture('staff-comma.csv'));
    expect(result.delimiter).to.equal(',');
    expect(result.rows.map((r) => r.values.name)).to.deep.equal(['Hansen, Ola', 'Åse Ødegård']);
    expect(result.rows.map((r) => r.line)).to.deep.equal([2, 3]);
  });

  it('Windows-1252 (Latin-1) with æøå: refused as wrong encoding, naming the first bad line and how to fix it', () => {
    expect(problemOf(fixture('staff-latin1.csv'))).to.deep.equal({ key: 'imports:file.encoding', params: { line: 3 } });
  });

  it('UTF-16 and Excel workbooks: refused with their own explanation', () => {
    expect(problemOf(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('navn', 'utf16le')])).key).to.equal('imports:file.utf16');
    expect(problemOf(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])).key).to.equal('imports:file.spreadsheet');
  });

  it('tabs between the fields: refused, asking for semicolons or commas', () => {
    expect(problemOf(bytes('navn\tepost\tenhet\nA\ta@b.no\t974760673\n')).key).to.equal('imports:file.tabSeparated');
  });

  it('missing columns: names each missing column and what was found', () => {
    expect(problemOf(fixture('staff-missing-columns.csv'))).to.deep.equal({
      key: 'imports:file.missingColumns',
      params: { columns: 'epost, enhet', found: 'navn, e-mail adresse, orgnummer' },
    });
  });

  it('header spellings: case, spaces, hyphens and English names are accepted', () => {
    const result = rowsOf(bytes('Navn;E-post;Enhet;Rolle;Ekstern ID\nA;a@b.no;974760673;leder;x\n'));
    expect(result.rows[0]!.values).to.deep.equal({ name: 'A', email: 'a@b.no', unit: '974760673', role: 'leder', externalId: 'x' });
    expect(rowsOf(bytes('name,email,unit\nA,a@b.no,974760673\n')).rows).to.have.length(1);
  });

  it('a column twice: refused, naming it', () => {
    expect(problemOf(bytes('navn;epost;epost;enhet\nA;a@b.no;a@b.no;974760673\n'))).to.deep.equal({ key: 'imports:file.duplicateColumn', params: { column: 'epost' } });
  });

  it('empty file, whitespace only, or only the header: refused as empty / no rows', () => {
    expect(problemOf(fixture('staff-empty.csv')).key).to.equal('imports:file.empty');
    expect(problemOf(bytes(' \n\n')).key).to.equal('imports:file.empty');
    expect(problemOf(fixture('staff-header-only.csv')).key).to.equal('imports:file.noRows');
  });

  it('over the size limit: refused as too large', () => {
    expect(problemOf(Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x41))).to.deep.equal({ key: 'imports:file.tooLarge', params: { limit: '2 MB' } });
  });

  it('an unclosed quotation mark: refused with the line where reading failed', () => {
    const problem = problemOf(bytes('navn;epost;enhet\nA;a@b.no;974760673\n"B;b@b.no;974760673\n'));
    expect(problem.key).to.equal('imports:file.csvSyntax');
    expect(problem.params?.line).to.be.a('number').and.to.be.at.least(3);
  });

  it('blank lines, empty separator-only rows and a value over two lines: line numbers still point at the right line', () => {
    const result = rowsOf(bytes('navn;epost;enhet\n\nA;a@b.no;974760673\n;;\n"B\nBerg";b@b.no;974760673\nC;c@b.no;974760673'));
    expect(result.rows.map((r) => [r.line, r.values.name])).to.deep.equal([[3, 'A'], [5, 'B\nBerg'], [7, 'C']]);
  });

  it('an Excel "sep=;" first line: used as the separator, and line numbers count it', () => {
    const result = rowsOf(bytes('sep=;\nnavn;epost;enhet\nA, B;a@b.no;974760673\n'));
    expect(result.delimiter).to.equal(';');
    expect(result.rows[0]).to.include({ line: 3 });
    expect(result.rows[0]!.values.name).to.equal('A, B');
  });

  it('more fields than columns: counted so the row can be rejected', () => {
    const result = rowsOf(bytes('navn;epost;enhet\nHansen; Ola;a@b.no;974760673\n'));
    expect(result.rows[0]!.extraFields).to.equal(1);
  });
});

describe('import: checking staff rows on their own', () => {
  const check = (name: string) => checkStaffRows(rowsOf(fixture(name)).rows);

  it('valid rows: no reasons; e-mail lower-cased, org number with spaces accepted, empty role means ansatt', () => {
    const rows = check('staff-valid.csv');
    expect(rows.map((r) => r.reasons)).to.deep.equal([[], [], []]);
    expect(rows[1]).to.include({ email: 'emil.johansen@test.example', role: 'ansatt' });
    expect(rows[1]!.unitRef).to.deep.equal({ by: 'orgNumber', value: '974760673' });
    expect(rows[2]).to.include({ role: 'leder', externalId: 'ext-sara' });
  });

  it('duplicate e-mails (any case): every occurrence rejected, naming all the lines', () => {
    const rows = check('staff-duplicate-email.csv');
    expect(rows.map((r) => [r.line, r.reasons.map((x) => x.key)])).to.deep.equal([
      [2, ['imports:reason.duplicateEmail']],
      [3, []],
      [4, ['imports:reason.duplicateEmail']],
    ]);
    expect(rows[0]!.reasons[0]!.params).to.deep.equal({ value: 'nora.olsen@test.example', lines: '2, 4' });
  });

  it('invalid e-mail, invalid org number, invalid role, missing values: each with its reason', () => {
    expect(check('staff-invalid-email.csv')[0]!.reasons).to.deep.equal([{ key: 'imports:reason.invalidEmail', params: { value: 'nora.olsen(at)test.example' } }]);
    expect(check('staff-invalid-orgnr.csv')[0]!.reasons).to.deep.equal([{ key: 'imports:reason.invalidOrgNumber', params: { value: '974760674' } }]);
    expect(check('staff-one-bad-row.csv')[1]!.reasons).to.deep.equal([{ key: 'imports:reason.invalidRole', params: { value: 'sjef', allowed: 'ansatt, leder' } }]);
    const missing = checkStaffRows(rowsOf(bytes('navn;epost;enhet\n;;x\n')).rows)[0]!.reasons.map((r) => r.key);
    expect(missing).to.deep.equal(['imports:reason.missingValue', 'imports:reason.missingValue', 'imports:reason.invalidUnitRef']);
  });
});

describe('import: checking unit rows on their own', () => {
  it('types in any case and with æøå; invalid type, invalid org number and duplicate org numbers rejected with lines', () => {
    expect(normaliseUnitType('Voksenopplæring')).to.equal('voksenopplaering');
    const ok = checkUnitRows(rowsOf(fixture('units-valid.csv'), UNIT_COLUMNS).rows);
    expect(ok.map((r) => [r.type, r.reasons.length])).to.deep.equal([['barnehage', 0], ['skole', 0], ['voksenopplaering', 0]]);
    const bad = checkUnitRows(rowsOf(fixture('units-errors.csv'), UNIT_COLUMNS).rows);
    expect(bad.map((r) => [r.line, r.reasons.map((x) => x.key)])).to.deep.equal([
      [2, ['imports:reason.invalidType']],
      [3, []],
      [4, ['imports:reason.invalidOrgNumber']],
      [5, ['imports:reason.duplicateOrgNumber']],
      [6, ['imports:reason.duplicateOrgNumber']],
      [7, []],
    ]);
    expect(bad[3]!.reasons[0]!.params).to.deep.equal({ value: '910067850', lines: '5, 6' });
  });
});
