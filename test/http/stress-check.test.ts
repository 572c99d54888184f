import net from 'node:net';
import { expect } from 'chai';
import { runLauncherStress } from '../../tools/stress/launcher.js';
import { testDatabase } from '../helpers/database.js';
import { frames, opMsgReply } from '../helpers/wire-fault-proxy.js';

/**
 * The stress check of issue 14 (tools/stress) must pass against the fixed launcher and must fail
 * against a front that behaves like the old one. The old front is reproduced on the wire: a loopback
 * proxy in front of the real test database that answers every unacknowledged (`moreToCome`) message
 * with a reply of its own, as FerretDB did and the old front relayed. Nothing is mocked.
 */
class OldFrontProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Replies sent to `moreToCome` messages. */
  strayReplies = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: net.Socket): void {
    const backend = net.connect(this.target);
    this.sockets.add(client).add(backend);
    client.on('error', () => backend.destroy());
    backend.on('error', () => client.destroy());
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    frames(client, (msg) => {
      backend.write(msg);
      const moreToCome = msg.readInt32LE(12) === 2013 && (msg.readUInt32LE(16) & 2) !== 0;
      if (moreToCome) {
        this.strayReplies += 1;
        client.write(opMsgReply(msg.readUInt32LE(4), { n: 0, ok: 1 }));
      }
    });
    backend.pipe(client);
  }
}

function serverOfTests(): { host: string; port: number; uri: string } {
  const url = new URL(testDatabase().uri);
  return { host: url.hostname, port: Number(url.port), uri: `mongodb://${url.host}/` };
}

describe('stress check (tools/stress): every database reply is checked against its request', function () {
  this.timeout(120_000);

  it('the test database server, a 4-second mixed run with w: 0 writes: replies counted, none mismatched, malformed or failed', async () => {
    const { tally, requests } = await runLauncherStress({ uri: serverOfTests().uri, durationMs: 4000, maxRequests: 100_000, seed: 1, dbName: 'stress_check_ok', pools: [1, 3], workersPerClient: 2, rawConnections: 2 });

    expect(requests).to.be.greaterThan(50);
    expect(tally.replies).to.be.greaterThan(50);
    expect(tally.unacknowledged).to.be.greaterThan(0);
    expect({ mismatched: tally.mismatched, malformed: tally.malformed, errors: tally.errors, samples: tally.samples }).to.deep.equal({
      mismatched: 0,
      malformed: 0,
      errors: 0,
      samples: { mismatched: [], malformed: [], errors: [] },
    });
  });

  it('behind a front that answers unacknowledged writes (the old launcher): the cross-talk is counted as mismatched and malformed', async () => {
    const proxy = new OldFrontProxy(serverOfTests());
    const port = await proxy.start();
    try {
      const { tally } = await runLauncherStress({ uri: `mongodb://127.0.0.1:${port}/`, durationMs: 4000, maxRequests: 100_000, seed: 1, dbName: 'stress_check_old_front', pools: [1, 3], workersPerClient: 2, rawConnections: 2 });

      expect(proxy.strayReplies).to.be.greaterThan(0);
      expect(tally.mismatched, 'mismatched').to.be.greaterThan(0);
      expect(tally.malformed, 'malformed').to.be.greaterThan(0);
      // The raw connections see the stray reply itself: its responseTo names the moreToCome request.
      expect(tally.samples.mismatched.join('\n')).to.match(/reply to request -?\d+ \((insert|update|delete) w:0 \(moreToCome\)\) arrived while waiting for request/);
    } finally {
      await proxy.stop();
    }
  });

  it('the same seed sends the same requests: two runs bounded by count alone give the same counts by command', async () => {
    const run = () => runLauncherStress({ uri: serverOfTests().uri, durationMs: 60_000, maxRequests: 150, seed: 7, dbName: 'stress_check_seed', pools: [1], workersPerClient: 1, rawConnections: 0 });
    const first = await run();
    const second = await run();

    expect(first.requests).to.equal(150);
    expect([...second.tally.byOp].sort()).to.deep.equal([...first.tally.byOp].sort());
  });
});
