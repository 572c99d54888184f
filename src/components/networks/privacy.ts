import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { GatheringModel, NetworkModel, ParticipantNoticeModel } from './models.js';

/**
 * What networks hold about a person: the networks they coordinate or take part in (with their name),
 * the gatherings whose attendance lists name them, and the gatherings they were told they missed.
 * Registered with the people component.
 */

type StoredNetwork = { _id: string; name: string; coordinators: Array<{ id: string }>; participants: Array<{ personId: string; unitId: string; appointedAt: Date }> };
type StoredGathering = { _id: string; networkId: string; title: string; startsAt: Date; place: string; attendance?: { present: string[] } | null };

export async function networkDataOf(personId: string): Promise<unknown> {
  const [networks, gatherings, notices] = await Promise.all([
    NetworkModel.find({ $or: [{ 'participants.personId': { $eq: personId } }, { 'coordinators.id': { $eq: personId } }] }, { name: 1, coordinators: 1, participants: 1 }).lean<StoredNetwork[]>(),
    GatheringModel.find({ 'attendance.roster.id': { $eq: personId } }, { networkId: 1, title: 1, startsAt: 1, place: 1, 'attendance.present': 1 }).lean<StoredGathering[]>(),
    ParticipantNoticeModel.findById(personId).lean<{ missed?: Record<string, unknown> }>(),
  ]);
  return {
    networks: networks.map((n) => ({
      network: n.name,
      coordinator: n.coordinators.some((c) => c.id === personId),
      participantFrom: n.participants.filter((p) => p.personId === personId).map((p) => ({ unitId: p.unitId, appointedAt: p.appointedAt })),
    })),
    gatherings: gatherings.map((g) => ({ title: g.title, startsAt: g.startsAt, place: g.place, present: !!g.attendance?.present.includes(personId) })),
    missed: Object.values(notices?.missed ?? {}),
  };
}

/**
 * Replaces the person's name wherever networks and gatherings hold it (participant and coordinator
 * lists, attendance rosters, who planned or recorded); their attendance still counts. Forgets what
 * they missed.
 */
export async function anonymiseNetworks(personId: string): Promise<void> {
  await ParticipantNoticeModel.deleteOne({ _id: { $eq: personId } });
  const person = await findPerson(personId);
  if (!person || person.status === 'anonymised') return;
  await scrubCollection(NetworkModel.collection, person, ANONYMISED_NAME);
  await scrubCollection(GatheringModel.collection, person, ANONYMISED_NAME);
}
