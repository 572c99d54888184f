import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase, testDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/process.js';

describe('embedded database: dies under a running app', function () {
  this.timeout(60_000);
  let app: Express;

  before(async () => {
    expect(testDatabase().embedded, 'this test needs the embedded database: run it without MONGODB_URI').to.not.equal(undefined);
    app = await buildTestApp();
  });

  beforeEach(clearDatabase);

  it('readyz answers 503 at once (no hang), then 200 after the restart, with nothing stored lost', async () => {
    const { embedded } = testDatabase();
    const coll = mongoose.connection.db!.collection('restart_probe');
    await coll.insertMany([{ _id: 'a' as never }, { _id: 'b' as never }]);
    const restartsBefore = embedded!.restartCount;

    process.kill(embedded!.pid!, 'SIGKILL');
    const started = Date.now();
    const down = await request(app).get('/readyz');
    expect(down.status).to.equal(503);
    expect(Date.now() - started).to.be.below(3000);

    await waitFor(async () => (await request(app).get('/readyz')).status === 200, 30_000, 'database to come back');
    expect(embedded!.restartCount).to.equal(restartsBefore + 1);
    expect(await coll.countDocuments()).to.equal(2);
  });
});
