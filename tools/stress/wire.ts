/**
 * A raw OP_MSG client on one TCP connection, built on the `bson` package: it numbers every request
 * itself and checks the `responseTo` of every reply, which the driver does not. A request sent with
 * `moreToCome` must get no reply at all; a reply that answers anything but the request being waited
 * for is reported (and skipped, so the connection goes on), and so is a reply that never comes.
 */
import net from 'node:net';
import { deserialize, serialize, type Document } from 'bson';

const OP_MSG = 2013;
const HEADER = 16;
const FLAG_CHECKSUM_PRESENT = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;

export interface Frame {
  requestId: number;
  responseTo: number;
  opCode: number;
  flags: number;
  body: Document | undefined;
}

export class WireTimeoutError extends Error {
  override readonly name = 'WireTimeoutError';
}

export class RawClient {
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private frames: Frame[] = [];
  private waiter: (() => void) | undefined;
  private closed: Error | undefined;
  private nextId: number;

  constructor(
    private readonly host: string,
    private readonly port: number,
    /** Request ids start here, so the ids of different raw connections never collide. */
    firstId: number,
  ) {
    this.nextId = firstId;
  }

  async connect(): Promise<void> {
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.closed = undefined;
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
    this.socket = socket;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private fail(err: Error): void {
    this.closed ??= err;
    this.waiter?.();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readInt32LE(0);
      if (length < HEADER || length > 48 * 1024 * 1024) {
        this.fail(new Error(`a reply announced an impossible length ${length}`));
        this.socket?.destroy();
        return;
      }
      if (this.buffer.length < length) break;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      this.frames.push(parseFrame(message));
    }
    this.waiter?.();
  }

  /**
   * Sends one command (`$db` included in `doc`). With `moreToCome` the server must not answer;
   * returns the request id.
   */
  send(doc: Document, moreToCome = false): number {
    if (!this.socket) throw new Error('not connected');
    const requestId = this.nextId;
    this.nextId = (this.nextId + 1) | 0;
    const body = serialize(doc);
    const message = Buffer.alloc(HEADER + 4 + 1 + body.length);
    message.writeInt32LE(message.length, 0);
    message.writeInt32LE(requestId, 4);
    message.writeInt32LE(0, 8);
    message.writeInt32LE(OP_MSG, 12);
    message.writeUInt32LE(moreToCome ? FLAG_MORE_TO_COME : 0, HEADER);
    message.writeUInt8(0, HEADER + 4);
    message.set(body, HEADER + 5);
    this.socket.write(message);
    return requestId;
  }

  /** The next reply on the connection, or a WireTimeoutError after `timeoutMs`. */
  async nextFrame(timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.closed) throw this.closed;
      const left = deadline - Date.now();
      if (left <= 0) throw new WireTimeoutError(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  /** Replies already received that nobody asked for yet (after a moreToCome request there must be none). */
  get pending(): number {
    return this.frames.length;
  }
}

function parseFrame(message: Buffer): Frame {
  const requestId = message.readInt32LE(4);
  const responseTo = message.readInt32LE(8);
  const opCode = message.readInt32LE(12);
  if (opCode !== OP_MSG || message.length < HEADER + 5) return { requestId, responseTo, opCode, flags: 0, body: undefined };
  const flags = message.readUInt32LE(HEADER);
  const end = message.length - (flags & FLAG_CHECKSUM_PRESENT ? 4 : 0);
  let body: Document | undefined;
  // Section kind 0 carries the reply document; a kind-1 sequence is not used in replies to commands.
  for (let at = HEADER + 4; at < end; ) {
    const kind = message.readUInt8(at);
    if (kind === 0) {
      const size = message.readInt32LE(at + 1);
      try {
        body = deserialize(message.subarray(at + 1, at + 1 + size));
      } catch {
        body = undefined;
      }
      at += 1 + size;
    } else {
      at += 1 + message.readInt32LE(at + 1);
    }
  }
  return { requestId, responseTo, opCode, flags, body };
}
