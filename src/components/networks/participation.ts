import { GatheringModel, NetworkModel } from './models.js';

/**
 * Network participation across the municipality, for the measure-3 report (read through this
 * component's index, never its models): no names, only each participant's unit and what they did.
 */
export interface NetworkParticipation {
  /** Networks that exist on their own (a network merged into another is counted there). */
  networks: number;
  openNetworks: number;
  /** Gatherings with attendance recorded. */
  gatheringsHeld: number;
  /**
   * One entry per person taking part in any network (merged ones excluded), under the unit they were
   * first appointed from: how many held gatherings they came to, and how many modules they completed
   * through a gathering's attendance.
   */
  people: Array<{ unitId: string; attended: number; completed: number }>;
}

interface StoredNetworkFacts {
  _id: string;
  status: string;
  participants: Array<{ personId: string; unitId: string; appointedAt: Date }>;
}

interface StoredGatheringFacts {
  networkId: string;
  programme: { moduleSlug: string } | null;
  completedBy?: string[];
  attendance: { present: string[] } | null;
}

export async function networkParticipation(): Promise<NetworkParticipation> {
  const [networks, gatherings] = await Promise.all([
    NetworkModel.find({ status: { $ne: 'merged' } }, { status: 1, participants: 1 }).lean<StoredNetworkFacts[]>(),
    GatheringModel.find({}, { networkId: 1, programme: 1, completedBy: 1, attendance: 1 }).lean<StoredGatheringFacts[]>(),
  ]);
  const first = new Map<string, { unitId: string; at: number }>();
  for (const n of networks) {
    for (const p of n.participants) {
      const at = new Date(p.appointedAt).getTime();
      const known = first.get(p.personId);
      if (!known || at < known.at) first.set(p.personId, { unitId: p.unitId, at });
    }
  }
  const live = new Set(networks.map((n) => n._id));
  const held = gatherings.filter((g) => g.attendance && live.has(g.networkId));
  const attended = new Map<string, number>();
  const completed = new Map<string, Set<string>>();
  for (const g of held) {
    for (const id of g.attendance!.present) attended.set(id, (attended.get(id) ?? 0) + 1);
    for (const id of g.completedBy ?? []) {
      if (!g.programme) continue;
      if (!completed.has(id)) completed.set(id, new Set());
      completed.get(id)!.add(g.programme.moduleSlug);
    }
  }
  return {
    networks: networks.length,
    openNetworks: networks.filter((n) => n.status === 'open').length,
    gatheringsHeld: held.length,
    people: [...first].map(([id, { unitId }]) => ({ unitId, attended: attended.get(id) ?? 0, completed: completed.get(id)?.size ?? 0 })),
  };
}
