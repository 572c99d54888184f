import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { MissedSessionModel, TeamSessionModel } from './models.js';

/**
 * What team sessions hold about a person: whether they were there (the rosters carry their name),
 * and the sessions they were told they missed. Registered with the people component.
 */

type Stored = { _id: string; moduleSlug: string; activityId: string; startsAt: Date; place: string; attendance?: { present: string[]; roster: Array<{ id: string; name: string }> } | null };

export async function teamSessionDataOf(personId: string): Promise<unknown> {
  const [sessions, missed] = await Promise.all([
    TeamSessionModel.find({ 'attendance.roster.id': { $eq: personId } }).lean<Stored[]>(),
    MissedSessionModel.findById(personId).lean<{ items?: Record<string, unknown> }>(),
  ]);
  return {
    sessions: sessions.map((s) => ({ module: s.moduleSlug, activity: s.activityId, startsAt: s.startsAt, place: s.place, present: !!s.attendance?.present.includes(personId) })),
    missed: Object.values(missed?.items ?? {}),
  };
}

/** Replaces the person's name in every roster (the attendance still counts) and forgets what they missed. */
export async function anonymiseTeamSessions(personId: string): Promise<void> {
  const sessions = await TeamSessionModel.find({ 'attendance.roster.id': { $eq: personId } }, { attendance: 1 }).lean<Stored[]>();
  for (const s of sessions) {
    const roster = (s.attendance?.roster ?? []).map((r) => (r.id === personId ? { id: r.id, name: ANONYMISED_NAME } : r));
    await TeamSessionModel.updateOne({ _id: { $eq: s._id } }, { $set: { 'attendance.roster': roster } });
  }
  await MissedSessionModel.deleteOne({ _id: { $eq: personId } });
  // As a leader: the sessions they planned, ran (the facilitator is free text, usually their name)
  // or recorded attendance for.
  const person = await findPerson(personId);
  if (person && person.status !== 'anonymised') await scrubCollection(TeamSessionModel.collection, person, ANONYMISED_NAME);
}
