import { expect } from 'chai';
import mongoose from 'mongoose';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { clearDatabase } from '../helpers/database.js';
import { DatabaseRateLimiter } from '../../src/lib/rate-limiter-store.js';

describe('rate-limiter store: counters by _id with an expiry field (MongoDB and FerretDB v1)', () => {
  const collection = () => mongoose.connection.db!.collection<{ _id: string; points: number; expiresAt: Date | null }>('limiter_store_test');
  const limiter = () => new DatabaseRateLimiter({ collectionName: 'limiter_store_test', keyPrefix: 't', points: 3, duration: 60, blockDuration: 120 });

  beforeEach(clearDatabase);

  it('consume within the limit: one document per key, _id = prefix:key, points counted, expiry one window ahead', async () => {
    const rl = limiter();
    await rl.consume('a');
    const res = await rl.consume('a');
    expect(res.consumedPoints).to.equal(2);
    expect(res.remainingPoints).to.equal(1);
    const doc = await collection().findOne({ _id: 't:a' });
    expect(doc?.points).to.equal(2);
    expect(doc?.expiresAt?.getTime()).to.be.closeTo(Date.now() + 60_000, 5_000);
  });

  it('consume past the limit: rejected with a RateLimiterRes and blocked for blockDuration', async () => {
    const rl = limiter();
    for (let i = 0; i < 3; i += 1) await rl.consume('b');
    const rejected = await rl.consume('b').then(() => null, (e: unknown) => e);
    expect(rejected).to.be.instanceOf(RateLimiterRes);
    expect((rejected as RateLimiterRes).msBeforeNext).to.be.closeTo(120_000, 5_000);
    expect((await collection().findOne({ _id: 't:b' }))?.expiresAt?.getTime()).to.be.closeTo(Date.now() + 120_000, 5_000);
  });

  it('a counter whose window is over: the next consume starts a new window in the same document', async () => {
    const rl = limiter();
    for (let i = 0; i < 3; i += 1) await rl.consume('c');
    await collection().updateOne({ _id: 't:c' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await rl.get('c')).to.equal(null);
    const res = await rl.consume('c');
    expect(res.consumedPoints).to.equal(1);
    expect(await collection().countDocuments({ _id: 't:c' })).to.equal(1);
  });

  it('delete and sweep: delete removes one key; sweep removes only expired counters', async () => {
    const rl = limiter();
    await rl.consume('d');
    await rl.consume('e');
    await rl.consume('f');
    expect(await rl.delete('d')).to.equal(true);
    await collection().updateOne({ _id: 't:e' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await rl.sweep()).to.equal(1);
    expect((await collection().find({}).toArray()).map((d) => d._id)).to.deep.equal(['t:f']);
  });
});
