import { expect } from 'chai';
import mongoose from 'mongoose';
import { clearDatabase } from '../helpers/database.js';
import { prng } from '../helpers/prng.js';
import { casJson, readJson, updateJson } from '../../src/components/reports/json-store.js';
import { ReportStateModel } from '../../src/components/reports/models.js';

/**
 * The summaries' compare-and-set documents: writers of one document in a process are combined into
 * groups (one read, one write per group), and nothing any writer changed is lost, also when another
 * process writes in between or a writer's own change fails.
 */
interface Counter {
  seen: string[];
}

const model = ReportStateModel as never;

/** Counts the write commands sent while `run` runs (the driver's command events). */
async function writesDuring(run: () => Promise<unknown>): Promise<number> {
  let writes = 0;
  const client = mongoose.connection.getClient();
  const listener = (event: mongoose.mongo.CommandStartedEvent) => {
    if (event.commandName === 'update' || event.commandName === 'insert') writes += 1;
  };
  client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    client.off('commandStarted', listener);
  }
  return writes;
}

const add = (name: string) => (current: Counter | null): Counter => ({ seen: [...(current?.seen ?? []), name] });

describe('json store: writers of one document are combined, and nothing is lost', function () {
  this.timeout(60_000);
  beforeEach(clearDatabase);

  it('30 writers at once: every change stored, each told the version it is in, in far fewer writes than 30', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `w${i}`);
    let results: Array<{ v: number; value: Counter } | null> = [];
    const writes = await writesDuring(async () => {
      results = await Promise.all(names.map((name) => updateJson<Counter>(model, 'combined', add(name))));
    });
    const stored = await readJson<Counter>(model, 'combined');
    expect(stored!.value.seen).to.have.members(names);
    expect(stored!.value.seen).to.have.length(30);
    for (const [i, result] of results.entries()) {
      expect(result, names[i]).to.not.equal(null);
      // The version a writer is told contains its own change.
      expect(result!.value.seen).to.include(names[i]);
      expect(result!.v).to.be.at.most(stored!.v);
    }
    // The first writer goes alone; those arriving during its write go as one group.
    expect(writes).to.be.at.most(3);
    expect(stored!.v).to.equal(writes);
  });

  it('a change that throws fails its own writer only; the others in its group are stored', async () => {
    const outcomes = await Promise.allSettled([
      updateJson<Counter>(model, 'partial', add('a')),
      updateJson<Counter>(model, 'partial', add('b')),
      updateJson<Counter>(model, 'partial', () => {
        throw new Error('bad change');
      }),
      updateJson<Counter>(model, 'partial', add('c')),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).to.have.property('message', 'bad change');
    expect((await readJson<Counter>(model, 'partial'))!.value.seen).to.have.members(['a', 'b', 'c']);
  });

  it('a writer whose change changes nothing gets null, the others their version', async () => {
    await updateJson<Counter>(model, 'noop', add('start'));
    const [noop, real] = await Promise.all([updateJson<Counter>(model, 'noop', () => undefined), updateJson<Counter>(model, 'noop', add('real'))]);
    expect(noop).to.equal(null);
    expect(real!.value.seen).to.deep.equal(['start', 'real']);
  });

  it('random writers with another process writing in between (seeded): nothing any writer changed is lost', async () => {
    const random = prng(42);
    const expected: string[] = [];
    const work: Array<Promise<unknown>> = [];
    for (let round = 0; round < 40; round += 1) {
      const name = `r${round}`;
      expected.push(name);
      work.push(updateJson<Counter>(model, 'contended', add(name)));
      if (random() < 0.3) {
        // Another process: a plain compare-and-set, retried until it lands.
        const foreign = `f${round}`;
        expected.push(foreign);
        work.push(
          (async () => {
            for (;;) {
              const current = await readJson<Counter>(model, 'contended');
              if (await casJson<Counter>(model, 'contended', current ? current.v : null, add(foreign)(current?.value ?? null))) return;
            }
          })(),
        );
      }
      if (random() < 0.5) await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
    }
    await Promise.all(work);
    const stored = await readJson<Counter>(model, 'contended');
    expect([...stored!.value.seen].sort()).to.deep.equal([...expected].sort());
  });
});
