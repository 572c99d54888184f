import { UnitModel } from './models.js';

/** Ids of open units by exact name (used by seeds and imports). */
export async function findUnitIdsByName(names: readonly string[]): Promise<Map<string, string>> {
  const units = await UnitModel.find({ name: { $in: [...names] }, closedAt: null }, { name: 1 }).lean();
  return new Map(units.map((u) => [u.name, String(u._id)]));
}
