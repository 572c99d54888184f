import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import ejs from 'ejs';
import { clearDatabase } from '../helpers/database.js';
import { buildTestApp, testConfig, testServices } from '../helpers/app.js';
import { signIn } from '../helpers/auth.js';
import { DistrictModel, UnitModel, DEMO_ORGANISATION, seedDemoOrganisation } from '../../src/components/organisation/index.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../../src/components/accounts/index.js';
import { getModuleVersion, listCatalogue } from '../../src/components/modules/index.js';
import { seedDemoData } from '../../src/seed/index.js';
import { paths } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';

describe('seed: demo organisation', () => {
  beforeEach(clearDatabase);

  it('on an empty database: creates the districts and units, with barnehager, skoler and an SFO', async () => {
    const created = await seedDemoOrganisation();
    const expectedUnits = DEMO_ORGANISATION.flatMap((d) => d.units).length;
    expect(created).to.equal(expectedUnits);
    expect(await DistrictModel.countDocuments()).to.equal(DEMO_ORGANISATION.length);
    const types = new Set((await UnitModel.find().lean()).map((u) => u.type));
    expect([...types]).to.include.members(['barnehage', 'skole', 'sfo']);
  });

  it('run twice: changes nothing the second time (idempotent)', async () => {
    await seedDemoOrganisation();
    const before = await UnitModel.find().sort({ name: 1 }).lean();
    expect(await seedDemoOrganisation()).to.equal(0);
    const after = await UnitModel.find().sort({ name: 1 }).lean();
    expect(after.map((u) => String(u._id))).to.deep.equal(before.map((u) => String(u._id)));
  });
});

describe('seed: the demo modules', function () {
  // The seed fills the demo municipality too (about 440 people and a year of history through the services).
  this.timeout(600_000);
  beforeEach(clearDatabase);

  it('on a database without modules: publishes every folder in modules/ (the habilitation module among them), and staff can open the modules and their lessons', async () => {
    const folders = readdirSync(paths.modules, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(folders, 'the habilitation module is a folder in modules/').to.include('habilitering');

    // The demo people exist already, so the seed does not print their logins into the test output.
    await seedDemoOrganisation();
    await seedDemoUsers();
    await seedDemoData(testConfig(), createLogger('silent'), testServices().reports);

    const catalogue = await listCatalogue();
    expect(catalogue.map((entry) => entry.slug).sort()).to.deep.equal(folders);
    const habilitering = catalogue.find((entry) => entry.slug === 'habilitering')!;
    const version = await getModuleVersion(habilitering.versionId);
    expect(version!.title).to.equal('Habilitering i barnehage, skole og SFO');
    expect((version!.lessons as unknown[]).length).to.equal(4);

    // Every published module page opens for a member of staff, and so does each lesson of every module
    // without prerequisites (lessons behind a prerequisite stay locked by design until it is completed).
    const staff = await signIn(await buildTestApp(), 'ansatt@fellesskap.example', DEMO_PASSWORD);
    const opened: string[] = [];
    for (const entry of catalogue) {
      const page = await staff.get(`/moduler/${entry.slug}/`).expect(200);
      const stored = await getModuleVersion(entry.versionId);
      const prerequisites = (stored!.frontMatter as { prerequisites?: string[] }).prerequisites ?? [];
      if (prerequisites.length > 0) continue;
      opened.push(entry.slug);
      const lessons = stored!.lessons as Array<{ slug: string; title: string }>;
      for (const lesson of lessons) {
        expect(page.text, `${entry.slug} lists ${lesson.slug}`).to.include(`/moduler/${entry.slug}/${lesson.slug}`);
        const res = await staff.get(`/moduler/${entry.slug}/${lesson.slug}`).expect(200);
        expect(res.text, `${entry.slug}/${lesson.slug}`).to.include(ejs.escapeXML(lesson.title)); // the title as EJS writes it into the page
      }
    }
    expect(opened, 'lessons opened').to.include('habilitering');
  });
});
