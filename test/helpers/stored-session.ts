import { expect } from 'chai';
import mongoose from 'mongoose';

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
