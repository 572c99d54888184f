import { NotFoundError } from '../../lib/errors.js';
import { getUnit } from '../organisation/index.js';
import { getPerson } from '../accounts/index.js';

/**
 * What learning needs to know of units and people, read by `_id` through their components. Units
 * (name, type) change rarely and are read on every "Mine kurs", so they are kept for a few minutes.
 */

export interface UnitInfo {
  id: string;
  name: string;
  type: string;
}

const UNIT_TTL_MS = 5 * 60 * 1000;

/** Units by id, kept for UNIT_TTL_MS: one per learning service, so each app keeps its own. */
export class UnitDirectory {
  private readonly units = new Map<string, { at: number; value: Promise<UnitInfo | null> }>();

  private unitInfo(id: string, now: number): Promise<UnitInfo | null> {
    const cached = this.units.get(id);
    if (cached && now - cached.at < UNIT_TTL_MS) return cached.value;
    const value = getUnit(id).then(
      (u) => ({ id: u.id, name: u.name, type: u.type }),
      (err: unknown) => {
        if (err instanceof NotFoundError) return null;
        this.units.delete(id);
        throw err;
      },
    );
    this.units.set(id, { at: now, value });
    if (this.units.size > 2000) this.units.delete(this.units.keys().next().value!);
    return value;
  }

  /** The units with these ids that exist (closed ones included: history names where people were). */
  async unitsInfo(ids: Iterable<string>, now = Date.now()): Promise<UnitInfo[]> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.unitInfo(id, now)));
    return found.filter((u): u is UnitInfo => u !== null);
  }
}

/** A person's name and current units, whatever the account's status (certificates outlive jobs). */
export async function personBasics(id: string): Promise<{ id: string; name: string; unitIds: string[] } | null> {
  try {
    const person = await getPerson(id);
    return { id: person.id, name: person.name, unitIds: person.memberships.filter((m) => m.current).map((m) => m.unitId) };
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}
