import path from 'node:path';
import { expect } from 'chai';
import { clearDatabase } from '../helpers/database.js';
import { runCliOnTestDatabase } from '../helpers/process.js';
import { paths } from '../../src/config/index.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { DistrictModel, UnitModel } from '../../src/components/organisation/index.js';
import { parseArgs } from '../../src/cli/import.js';

const fixture = (name: string) => path.join(paths.root, 'test', 'fixtures', 'import', name);

/** Runs `npm run import -- …` the way an operator would (tsx, the real config, the test database). */
const runImport = (args: string[]) => runCliOnTestDatabase('src/cli/import.ts', args);

const staffCount = () => UserModel.countDocuments({ email: /@test\.example$/ });

describe('command: npm run import', function () {
  this.timeout(60_000);

  beforeEach(async () => {
    await clearDatabase();
    const district = await DistrictModel.create({ name: 'Nordbyen' });
    await UnitModel.create({ name: 'Solsikken barnehage', type: 'barnehage', districtId: district._id, orgNumber: '974760673' });
    await UnitModel.create({ name: 'Nordbyen skole', type: 'skole', districtId: district._id, orgNumber: '910014927' });
  });

  it('arguments: kind and file required, only known flags', () => {
    expect(parseArgs(['staff', 'a.csv'])).to.deep.equal({ kind: 'staff', file: 'a.csv', dryRun: false, validOnly: false });
    expect(parseArgs(['units', 'a.csv', '--dry-run', '--valid-only'])).to.deep.equal({ kind: 'units', file: 'a.csv', dryRun: true, validOnly: true });
    for (const bad of [[], ['staff'], ['people', 'a.csv'], ['staff', 'a.csv', '--force'], ['staff', 'a.csv', 'b.csv']]) expect(parseArgs(bad), bad.join(' ')).to.equal(null);
  });

  it('--dry-run on a file with a bad row: prints every row with line and reason, exit 1, nothing stored', async () => {
    const { code, stdout } = await runImport(['staff', fixture('staff-one-bad-row.csv'), '--dry-run']);
    expect(code).to.equal(1);
    expect(stdout).to.match(/linje 2\s+Ny\s+Nora Olsen <nora\.olsen@test\.example> – Solsikken barnehage \(Ansatt\)/);
    expect(stdout).to.match(/linje 3\s+Avvist/);
    expect(stdout).to.contain('Rollen «sjef» finnes ikke. Bruk ansatt, leder.');
    expect(stdout).to.contain('Nye: 2, Endres: 0, Uendret: 0, Avvist: 1');
    expect(stdout).to.contain('Prøvekjøring (--dry-run): ingenting er importert.');
    expect(await staffCount()).to.equal(0);
  });

  it('without --valid-only, a file with a bad row imports nothing: exit 1 and the reason why', async () => {
    const { code, stdout } = await runImport(['staff', fixture('staff-one-bad-row.csv')]);
    expect(code).to.equal(1);
    expect(stdout).to.contain('Ingenting er importert fordi filen har avviste rader (1).');
    expect(await staffCount()).to.equal(0);
  });

  it('--valid-only: imports the valid rows, skips the bad one, exit 0 with the result per row', async () => {
    const { code, stdout } = await runImport(['staff', fixture('staff-one-bad-row.csv'), '--valid-only']);
    expect(code).to.equal(0);
    expect(stdout).to.match(/linje 2\s+Opprettet/);
    expect(stdout).to.match(/linje 3\s+Hoppet over/);
    expect(stdout).to.contain('Ferdig: 2 opprettet, 0 endret, 0 uendret, 1 hoppet over, 0 avvist under importen.');
    expect(await staffCount()).to.equal(2);
  });

  it('a valid file twice: the second run reports every row unchanged and changes nothing', async () => {
    expect((await runImport(['staff', fixture('staff-valid.csv')])).code).to.equal(0);
    const before = await UserModel.find({}).sort({ email: 1 }).lean();
    const again = await runImport(['staff', fixture('staff-valid.csv')]);
    expect(again.code).to.equal(0);
    expect(again.stdout).to.contain('Uendret: 3').and.to.contain('Ferdig: 0 opprettet, 0 endret, 3 uendret');
    const after = await UserModel.find({}).sort({ email: 1 }).lean();
    expect(after.map((u) => [u.email, u.__v, u.updatedAt?.getTime()])).to.deep.equal(before.map((u) => [u.email, u.__v, u.updatedAt?.getTime()]));
  });

  it('a refused file (wrong encoding), a missing file and wrong usage: explained, exit 1 or 2', async () => {
    const latin1 = await runImport(['staff', fixture('staff-latin1.csv')]);
    expect(latin1.code).to.equal(1);
    expect(latin1.stdout).to.contain('Filen er ikke lagret som UTF-8 (første feil på linje 3)');
    const missing = await runImport(['staff', fixture('finnes-ikke.csv')]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('Fant ikke filen');
    const usage = await runImport(['people']);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('Bruk: npm run import -- staff|units FIL.csv');
  });
});
