import net from 'node:net';
import mongoose from 'mongoose';

/**
 * A loopback TCP proxy in front of the test database that can replace the reply to chosen
 * commands with a malformed one ({ ok: 1 } without the command's fields): the fault the embedded
 * database's cross-talk produced (issue 14), injected on the wire so the app's real driver and
 * mongoose meet it. Nothing is mocked; only bytes between two real processes are changed.
 */
export class WireFaultProxy {
  private server: net.Server | undefined;
  private corruptions = new Map<string, number>();
  /** Replies replaced so far, by command name. */
  readonly corrupted = new Map<string, number>();

  constructor(private readonly target: { host: string; port: number }) {}

  /** Replace the replies to the next `times` commands named `command`. */
  corruptNext(command: string, times = 1): void {
    this.corruptions.set(command, (this.corruptions.get(command) ?? 0) + times);
  }

  async start(): Promise<number> {
    this.server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: net.Socket): void {
    const backend = net.connect(this.target);
    const doomed = new Map<number, string>(); // requestID → command whose reply is replaced
    client.on('error', () => backend.destroy());
    backend.on('error', () => client.destroy());
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    frames(client, (msg) => {
      const command = commandName(msg);
      const left = command ? (this.corruptions.get(command) ?? 0) : 0;
      if (command && left > 0) {
        this.corruptions.set(command, left - 1);
        doomed.set(msg.readUInt32LE(4), command);
      }
      backend.write(msg);
    });
    frames(backend, (msg) => {
      const responseTo = msg.readUInt32LE(8);
      const command = doomed.get(responseTo);
      if (command === undefined) return void client.write(msg);
      doomed.delete(responseTo);
      this.corrupted.set(command, (this.corrupted.get(command) ?? 0) + 1);
      client.write(opMsgReply(responseTo, { ok: 1 }));
    });
  }
}

export function frames(socket: net.Socket, onMessage: (msg: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
      const length = buffered.readInt32LE(0);
      onMessage(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  });
}

/** The command name of an OP_MSG request, read from its body section. */
function commandName(msg: Buffer): string | undefined {
  if (msg.readUInt32LE(12) !== 2013) return undefined;
  let pos = 20;
  while (pos < msg.length) {
    const kind = msg[pos]!;
    const size = msg.readInt32LE(pos + 1);
    if (kind === 0) return Object.keys(mongoose.mongo.BSON.deserialize(msg.subarray(pos + 1, pos + 1 + size)))[0];
    pos += 1 + size;
  }
  return undefined;
}

export function opMsgReply(responseTo: number, doc: Record<string, unknown>): Buffer {
  const body = Buffer.from(mongoose.mongo.BSON.serialize(doc));
  const msg = Buffer.alloc(21 + body.length);
  msg.writeInt32LE(msg.length, 0);
  msg.writeUInt32LE(0, 4);
  msg.writeUInt32LE(responseTo, 8);
  msg.writeUInt32LE(2013, 12);
  msg.writeUInt32LE(0, 16);
  msg[20] = 0;
  body.copy(msg, 21);
  return msg;
}
