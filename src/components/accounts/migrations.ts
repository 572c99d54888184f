import { UserModel } from './models.js';

/**
 * Sets `active` on people stored before accounts had a status (migration 0002); returns how many.
 * Through the model, not its raw collection: the identity guard sees every write to people.
 */
export async function backfillUserStatus(): Promise<number> {
  const result = await UserModel.updateMany({ $or: [{ status: { $exists: false } }, { status: null }] }, { $set: { status: 'active' } });
  return result.modifiedCount;
}
