import { expect } from 'chai';
import { clearDatabase } from '../helpers/database.js';
import { DistrictModel, UnitModel, DEMO_ORGANISATION, seedDemoOrganisation } from '../../src/components/organisation/index.js';

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
