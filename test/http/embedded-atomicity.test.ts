import { expect } from 'chai';
import mongoose from 'mongoose';
import { clearDatabase } from '../helpers/database.js';

/**
 * The app relies on MongoDB's guarantee that a single-document write is atomic. FerretDB v1 alone
 * does not give it (its updates are read-modify-write); the launcher's write front does.
 */
describe('embedded database: single-document writes are atomic under parallel load', function () {
  this.timeout(60_000);
  beforeEach(clearDatabase);

  it('200 parallel $inc on one document: 200', async () => {
    const coll = mongoose.connection.db!.collection<{ _id: string; n: number }>('atomic_probe');
    await coll.insertOne({ _id: 'x', n: 0 });
    await Promise.all(Array.from({ length: 200 }, () => coll.updateOne({ _id: 'x' }, { $inc: { n: 1 } })));
    expect((await coll.findOne({ _id: 'x' }))?.n).to.equal(200);
  });

  it('200 parallel findOneAndUpdate setting different fields: all 200 fields kept', async () => {
    const coll = mongoose.connection.db!.collection<Record<string, unknown> & { _id: string }>('atomic_probe');
    await coll.insertOne({ _id: 'y' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => coll.findOneAndUpdate({ _id: 'y' }, { $set: { [`f${i}`]: i } })));
    const doc = await coll.findOne({ _id: 'y' });
    expect(Object.keys(doc ?? {}).filter((k) => k.startsWith('f'))).to.have.length(200);
  });

  it('100 parallel upserts of the same new _id: one document, no duplicate-key error', async () => {
    const coll = mongoose.connection.db!.collection<{ _id: string; n?: number }>('atomic_probe');
    await Promise.all(Array.from({ length: 100 }, () => coll.updateOne({ _id: 'z' }, { $inc: { n: 1 } }, { upsert: true })));
    expect((await coll.findOne({ _id: 'z' }))?.n).to.equal(100);
  });
});
