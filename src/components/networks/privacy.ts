import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { GatheringModel, NetworkModel, NetworkReportModel, ParticipantNoticeModel } from './models.js';

/**
 * What networks hold about a person: the networks they coordinate or take part in (with their name),
 * the gatherings whose attendance lists name them, and the gatherings they were told they missed.
 * Registered with the people component.
 */

type StoredNetwork = { _id: string; name: string; coordinators: Array<{ id: string }>; participants: Array<{ personId: string; unitId: string; appointedAt: Date }>; partners?: Array<{ id: string }> };
type StoredReport = { gatheringId: string; report: string; summary: string; shared: boolean; sharedAt: Date | null; updatedAt: Date };
type StoredGathering = { _id: string; networkId: string; title: string; startsAt: Date; place: string; attendance?: { present: string[] } | null };

export async function networkDataOf(personId: string): Promise<unknown> {
  const [networks, gatherings, notices, reports] = await Promise.all([
    NetworkModel.find(
      { $or: [{ 'participants.personId': { $eq: personId } }, { 'coordinators.id': { $eq: personId } }, { 'partners.id': { $eq: personId } }] },
      { name: 1, coordinators: 1, participants: 1, partners: 1 },
    ).lean<StoredNetwork[]>(),
    GatheringModel.find({ 'attendance.roster.id': { $eq: personId } }, { networkId: 1, title: 1, startsAt: 1, place: 1, 'attendance.present': 1 }).lean<StoredGathering[]>(),
    ParticipantNoticeModel.findById(personId).lean<{ missed?: Record<string, unknown> }>(),
    NetworkReportModel.find({ personId: { $eq: personId } }).lean<StoredReport[]>(),
  ]);
  const reportGatherings = reports.length ? await GatheringModel.find({ _id: { $in: reports.map((r) => r.gatheringId) } }, { title: 1, startsAt: 1 }).lean<Array<{ _id: string; title: string; startsAt: Date }>>() : [];
  return {
    networks: networks.map((n) => ({
      network: n.name,
      coordinator: n.coordinators.some((c) => c.id === personId),
      partner: (n.partners ?? []).some((p) => p.id === personId),
      participantFrom: n.participants.filter((p) => p.personId === personId).map((p) => ({ unitId: p.unitId, appointedAt: p.appointedAt })),
    })),
    gatherings: gatherings.map((g) => ({ title: g.title, startsAt: g.startsAt, place: g.place, present: !!g.attendance?.present.includes(personId) })),
    missed: Object.values(notices?.missed ?? {}),
    reports: reports.map((r) => {
      const g = reportGatherings.find((x) => x._id === r.gatheringId);
      return { gathering: g?.title ?? '', gatheringDate: g?.startsAt ?? null, report: r.report, summary: r.summary, sharedWithNetwork: r.shared, sharedAt: r.sharedAt, updatedAt: r.updatedAt };
    }),
  };
}

/**
 * Replaces the person's name wherever networks and gatherings hold it (participant and coordinator
 * lists, attendance rosters, who planned or recorded); their attendance still counts. Forgets what
 * they missed, deletes their reports and the summaries they shared (their own words, possibly about
 * their own work: nothing the network needs to keep), and ends any partner access they had.
 */
export async function anonymiseNetworks(personId: string): Promise<void> {
  await ParticipantNoticeModel.deleteOne({ _id: { $eq: personId } });
  await NetworkReportModel.deleteMany({ personId: { $eq: personId } });
  // Each network one by one with $set (the embedded database's $pull does not match on a field of an embedded document).
  const partnerOf = await NetworkModel.find({ 'partners.id': { $eq: personId } }, { partners: 1 }).lean<Array<{ _id: string; partners: Array<{ id: string; name: string }> }>>();
  for (const n of partnerOf) {
    await NetworkModel.updateOne({ _id: { $eq: n._id } }, { $set: { partners: n.partners.filter((p) => p.id !== personId) }, $inc: { revision: 1 } });
  }
  const person = await findPerson(personId);
  if (!person || person.status === 'anonymised') return;
  await scrubCollection(NetworkModel.collection, person, ANONYMISED_NAME);
  await scrubCollection(GatheringModel.collection, person, ANONYMISED_NAME);
}
