import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { buildTestApp, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, signIn } from '../helpers/auth.js';
import { runCliOnTestDatabase } from '../helpers/process.js';
import { UserModel } from '../../src/components/accounts/models.js';
import { withinIdentityService } from '../../src/components/accounts/identity-guard.js';
import { PERSON_TOPIC } from '../../src/components/accounts/person-cache.js';
import { REVOCATIONS, revocations, TRUST_MS } from '../../src/lib/revocations.js';

/**
 * The signed-in person comes from an in-process cache (issue 15). Two things must hold for it to be
 * safe: every write to a person, by any mongoose path, drops the entry here at once and tells the
 * other instances through the database; and another instance's change is refused here within
 * TRUST_MS (2 s), proven with a real second process.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const revocationsFor = (id: string) => mongoose.connection.db!.collection(REVOCATIONS).countDocuments({ topic: PERSON_TOPIC, key: { $in: [id, '*'] } });

describe('http: the person cache and its revocation across instances', function () {
  this.timeout(120_000);
  beforeEach(clearDatabase);

  it('every write path of the person model drops the cached entry at once and records a revocation for other instances', async () => {
    const { people } = testServices(); // the cache as an app gets it
    const writes: Array<[string, (id: Types.ObjectId) => Promise<unknown>]> = [
      ['updateOne', (id) => UserModel.updateOne({ _id: id }, { $set: { digestOptOut: true } })],
      ['updateMany', (id) => UserModel.updateMany({ _id: { $in: [id] } }, { $set: { digestOptOut: true } })],
      ['updateMany without an id', () => UserModel.updateMany({ status: 'active' }, { $set: { digestOptOut: true } })],
      ['findOneAndUpdate', (id) => UserModel.findOneAndUpdate({ _id: id }, { $set: { status: 'deactivated' } })],
      ['findByIdAndUpdate', (id) => UserModel.findByIdAndUpdate(id, { $set: { name: 'Nytt Navn' } })],
      ['replaceOne', async (id) => { const doc = (await UserModel.findById(id).lean())!; return withinIdentityService('test', () => UserModel.replaceOne({ _id: id }, { ...doc, name: 'Erstattet' })); }],
      ['findOneAndReplace', async (id) => { const doc = (await UserModel.findById(id).lean())!; return withinIdentityService('test', () => UserModel.findOneAndReplace({ _id: id }, { ...doc, name: 'Erstattet' })); }],
      ['save', async (id) => { const doc = (await UserModel.findById(id))!; doc.name = 'Lagret'; return doc.save(); }],
      ['deleteOne', (id) => UserModel.deleteOne({ _id: id })],
      ['deleteMany', (id) => UserModel.deleteMany({ _id: { $eq: id } })],
      ['findOneAndDelete', (id) => UserModel.findOneAndDelete({ _id: id })],
      ['document deleteOne', async (id) => (await UserModel.findById(id))!.deleteOne()],
      ['bulkWrite', (id) => UserModel.bulkWrite([{ updateOne: { filter: { _id: id }, update: { $set: { digestOptOut: true } } } }])],
    ];
    for (const [name, write] of writes) {
      const person = await createUser();
      const id = new Types.ObjectId(person.id);
      await revocations.poll();
      const load = async () => (await UserModel.findById(id).lean()) as never;
      await people.get(person.id, load);
      let reloaded = 0;
      await people.get(person.id, async () => ((reloaded += 1), load()));
      expect(reloaded, `${name}: cached before the write`).to.equal(0);
      const before = await revocationsFor(person.id);
      await write(id);
      await people.get(person.id, async () => ((reloaded += 1), load()));
      expect(reloaded, `${name}: the entry is gone here at once`).to.equal(1);
      expect(await revocationsFor(person.id), `${name}: other instances are told`).to.be.greaterThan(before);
    }
  });

  it('another instance (a second process) deactivates, removes the role, sets a new password: this instance refuses within 2 s', async () => {
    const app = await buildTestApp();
    for (const action of ['deactivate', 'remove-roles', 'new-password'] as const) {
      const person = await createUser({ roles: ['municipal-admin'], memberships: [] });
      const agent = await signIn(app, person.email);
      // Warm: the person is cached, and the admin page is open to them.
      await agent.get('/admin').expect(200);
      await agent.get('/admin').expect(200);
      const result = await runCliOnTestDatabase('test/fixtures/scripts/other-instance.ts', [action, person.id]);
      expect(result.code, result.stderr).to.equal(0);
      await sleep(TRUST_MS);
      const res = await agent.get('/admin');
      expect(res.status, `${action}: refused on this instance within ${TRUST_MS} ms`).to.be.oneOf([302, 303, 403]);
    }
  });

  it('when the revocation feed cannot be trusted (no recent poll), the person is read from the database on every request', async () => {
    const { people } = testServices();
    const person = await createUser();
    await revocations.poll();
    let loads = 0;
    const load = async () => ((loads += 1), (await UserModel.findById(person.id).lean()) as never);
    await people.get(person.id, load);
    await people.get(person.id, load);
    expect(loads, 'current feed: from memory').to.equal(1);
    // As if the poller had not run for longer than TRUST_MS (busy process, unreadable feed).
    await people.get(person.id, load, Date.now() + TRUST_MS + 1);
    await people.get(person.id, load, Date.now() + TRUST_MS + 1);
    expect(loads, 'stale feed: from the database each time').to.equal(3);
  });
});
