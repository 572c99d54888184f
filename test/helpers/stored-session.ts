import { expect } from 'chai';
import mongoose from 'mongoose';
import { revocations } from '../../src/lib/revocations.js';
import { SESSION_TOPIC, sessionKey } from '../../src/web/session.js';

/** A session as connect-mongo stores it (the session itself is serialised JSON). */
export interface SessionDoc {
  _id: string;
  expires: Date;
  lastModified?: Date;
  session: string;
}

/** The raw sessions collection, for reading and ageing stored sessions in tests. */
export const sessions = () => mongoose.connection.db!.collection<SessionDoc>('sessions');

/** The one stored session of a signed-in person (found by its passport user). */
export async function storedSession(userId: string): Promise<SessionDoc> {
  const all = await sessions().find({}).toArray();
  const mine = all.filter((s) => (JSON.parse(s.session) as { passport?: { user?: string } }).passport?.user === userId);
  expect(mine, 'exactly one stored session for the person').to.have.length(1);
  return mine[0]!;
}

/**
 * Changes a stored session behind the app's back (ageing it, damaging it), and tells the apps' session
 * caches, as anything but the session store itself must when it writes a stored session: the caches
 * would otherwise go on using the version they hold (src/web/session.ts, CheckedSessionStore).
 */
export async function editStoredSession(sid: string, update: Record<string, unknown>): Promise<void> {
  await sessions().updateOne({ _id: sid }, update);
  await revocations.publish(SESSION_TOPIC, sessionKey(sid));
}
