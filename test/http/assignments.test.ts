import { expect } from 'chai';
import mongoose from 'mongoose';
import { clearDatabase } from '../helpers/database.js';
import { createUnit } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { assignmentsFor, createAssignment, seedDemoAssignments, DEMO_ASSIGNMENTS } from '../../src/components/assignments/index.js';
import { seedDemoOrganisation } from '../../src/components/organisation/index.js';

const BY = { id: null, name: 'test' };
const PERSON = '0123456789abcdef01234567';

describe('assignments: stored once, read per target by _id', () => {
  beforeEach(clearDatabase);

  it('assignmentsFor: a unit assignment and a personal one for the same module give one entry with the earliest deadline', async () => {
    const unitId = await createUnit('Enhet A');
    await publishFixture();
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId }, deadline: new Date('2099-03-01T00:00:00Z'), createdBy: BY });
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'people', userIds: [PERSON] }, deadline: new Date('2099-02-01T00:00:00Z'), createdBy: BY });

    const mine = await assignmentsFor({ id: PERSON, memberOf: [unitId] });
    const colleague = await assignmentsFor({ id: '76543210fedcba9876543210', memberOf: [unitId] });

    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ moduleSlug: 'samtaler', unitId: null });
    expect(mine[0]!.deadline?.toISOString()).to.equal('2099-02-01T00:00:00.000Z');
    expect(colleague[0]).to.include({ moduleSlug: 'samtaler', unitId });
    const targets = await mongoose.connection.db!.collection('assignment_targets').find({}).toArray();
    // The people's documents, and the unit's list (which shows the unit-wide one: the personal one was made by no unit's leader).
    expect(targets.map((t) => t._id).sort()).to.deep.equal([`person:${PERSON}`, `unit:${unitId}`, `list:${unitId}`].sort());
    expect(Object.values(targets.find((t) => String(t._id) === `list:${unitId}`)!.items as Record<string, { target: { kind: string } }>).map((i) => i.target.kind)).to.deep.equal(['unit']);
  });

  it('createAssignment: an unpublished module or a bad unit id is refused, nothing stored', async () => {
    const unitId = await createUnit('Enhet B');
    let notFound: unknown;
    try {
      await createAssignment({ moduleSlug: 'finnes-ikke', target: { kind: 'unit', unitId }, deadline: null, createdBy: BY });
    } catch (err) {
      notFound = err;
    }
    let invalid: unknown;
    try {
      await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: 'ikke-en-id' }, deadline: null, createdBy: BY });
    } catch (err) {
      invalid = err;
    }
    expect((notFound as { status?: number }).status).to.equal(404);
    expect((invalid as { fields?: object }).fields).to.deep.equal({ target: 'assignments:errors.unit' });
    expect(await mongoose.connection.db!.collection('assignments').countDocuments()).to.equal(0);
  });

  it('demo seed: assigns the demo modules to Solsikken barnehage once, however often it runs', async () => {
    await seedDemoOrganisation();
    for (const demo of DEMO_ASSIGNMENTS) await publishFixture({ slug: demo.moduleSlug });

    expect(await seedDemoAssignments()).to.equal(DEMO_ASSIGNMENTS.length);
    expect(await seedDemoAssignments()).to.equal(0);

    const unit = await mongoose.connection.db!.collection('units').findOne({ name: 'Solsikken barnehage' });
    const assigned = await assignmentsFor({ id: PERSON, memberOf: [String(unit!._id)] });
    expect(assigned.map((a) => a.moduleSlug).sort()).to.deep.equal(DEMO_ASSIGNMENTS.map((a) => a.moduleSlug).sort());
    expect(assigned.every((a) => a.deadline && a.deadline.getTime() > Date.now())).to.equal(true);
  });
});
