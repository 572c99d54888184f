import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { assertCan } from '../../web/policy.js';
import type { LearningService, ProgressService } from '../learning/index.js';
import { assignedMembers, unitAssignmentRecords, type AssignmentRecord } from '../assignments/index.js';
import { unitMembers } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import type { Mailer } from '../mail/index.js';
import { ReminderSentModel, reminderSentCollection, reminderId } from './models.js';
import { assignedState, moduleTitle, type AssignedState } from './status.js';
import { overdueReminderMail } from './mail-templates.js';

export interface OverduePerson extends AssignedState {
  id: string;
  name: string;
  /** Already reminded about this assignment today: another click would be skipped. */
  remindedToday: boolean;
}

export interface OverdueAssignment {
  id: string;
  moduleSlug: string;
  moduleTitle: string;
  deadline: Date;
  people: OverduePerson[];
}

export interface SendReport {
  sent: number;
  /** Already reminded today: not sent again. */
  skipped: number;
  failed: number;
}

export interface SentEntry {
  personName: string;
  moduleTitle: string;
  sentBy: string;
  at: Date;
}

/** Duplicate key: the reminder's `_id` exists, so it was sent (or is being sent) already. */
function isDuplicate(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/**
 * Claims a reminder before sending it (insert-if-absent on its `_id`), sends, and marks it sent.
 * A duplicate claim means "already sent": skipped. A failed send gives the claim up, so the leader
 * can try again.
 */
export async function claimAndSend(claim: { id: string; userId: string; kind: 'overdue' | 'digest'; ref: string; day: string; unitId?: string | null; moduleSlug?: string | null; sentBy?: { id: string; name: string } | null }, send: () => Promise<unknown>, now: Date, logger: Logger): Promise<'sent' | 'skipped' | 'failed'> {
  try {
    await reminderSentCollection.insertOne({
      _id: claim.id,
      userId: claim.userId,
      kind: claim.kind,
      ref: claim.ref,
      day: claim.day,
      unitId: claim.unitId ?? null,
      moduleSlug: claim.moduleSlug ?? null,
      sentBy: claim.sentBy ?? null,
      claimedAt: now,
      sentAt: null,
    });
  } catch (err) {
    if (isDuplicate(err)) return 'skipped';
    throw err;
  }
  try {
    await send();
  } catch (err) {
    logger.error({ err, reminder: claim.kind, userId: claim.userId }, 'reminder not sent');
    await ReminderSentModel.deleteOne({ _id: { $eq: claim.id } });
    return 'failed';
  }
  await ReminderSentModel.updateOne({ _id: { $eq: claim.id } }, { $set: { sentAt: new Date() } });
  return 'sent';
}

/** Leaders' reminders to people in their unit who are past a deadline and not done. */
export class ReminderService {
  constructor(
    private readonly progress: ProgressService,
    private readonly logger: Logger,
    private readonly mailer: Mailer,
    /** The app's learning service, for its catalogue. */
    private readonly learning: Pick<LearningService, 'catalogue'>,
  ) {}

  /** The unit's assignments whose deadline has passed, each with the people not done yet. */
  async overdue(actor: SessionUser, unitId: string, now = new Date()): Promise<OverdueAssignment[]> {
    assertCan(actor, 'unit:lead', { unitId });
    const today = todayDateOnly(now);
    const [records, members, cat] = await Promise.all([unitAssignmentRecords(unitId), unitMembers(unitId, now), this.learning.catalogue()]);
    const due = records.filter((r): r is AssignmentRecord & { deadline: Date } => !!r.deadline && r.deadline.getTime() < today.getTime());
    if (!due.length) return [];
    const people = [...new Set(due.flatMap((r) => assignedMembers(r, members).map((m) => m.id)))];
    const summaries = new Map(await Promise.all(people.map(async (id) => [id, await this.progress.summary(id)] as const)));
    const day = isoDate(today);
    const result: OverdueAssignment[] = [];
    for (const r of due) {
      const behind = assignedMembers(r, members)
        .map((m) => ({ id: m.id, name: m.name, ...assignedState(summaries.get(m.id) ?? {}, cat, r.moduleSlug) }))
        .filter((p) => p.state !== 'completed');
      const reminded = new Set(
        (await ReminderSentModel.find({ _id: { $in: behind.map((p) => reminderId(p.id, 'overdue', r.id, day)) } }, { userId: 1 }).lean()).map((d) => d.userId),
      );
      result.push({ id: r.id, moduleSlug: r.moduleSlug, moduleTitle: moduleTitle(cat, r.moduleSlug), deadline: r.deadline, people: behind.map((p) => ({ ...p, remindedToday: reminded.has(p.id) })) });
    }
    return result;
  }

  /**
   * Sends the overdue reminder for one assignment to everyone behind (or to one of them). Nobody gets
   * the same reminder twice in one day, however often or by whom the button is pressed.
   */
  async send(actor: SessionUser, unitId: string, assignmentId: string, options: { personId?: string; now?: Date } = {}): Promise<SendReport> {
    const now = options.now ?? new Date();
    const list = await this.overdue(actor, unitId, now);
    const assignment = list.find((a) => a.id === assignmentId);
    if (!assignment) {
      const exists = (await unitAssignmentRecords(unitId)).some((r) => r.id === assignmentId);
      if (!exists) throw new NotFoundError(`assignment ${assignmentId} is not on unit ${unitId}'s list`);
      throw new ValidationError('not overdue', { reminders: 'reminders:errors.notOverdue' });
    }
    const targets = options.personId ? assignment.people.filter((p) => p.id === options.personId) : assignment.people;
    if (options.personId && targets.length === 0) throw new ValidationError('person not behind', { reminders: 'reminders:errors.personNotBehind' });
    const contacts = new Map((await unitMembers(unitId, now)).map((m) => [m.id, m]));
    const day = isoDate(todayDateOnly(now));
    const report: SendReport = { sent: 0, skipped: 0, failed: 0 };
    for (const person of targets) {
      const contact = contacts.get(person.id);
      if (!contact) continue;
      const outcome = await claimAndSend(
        { id: reminderId(person.id, 'overdue', assignment.id, day), userId: person.id, kind: 'overdue', ref: assignment.id, day, unitId, moduleSlug: assignment.moduleSlug, sentBy: { id: actor.id, name: actor.name } },
        () =>
          this.mailer.send({
            to: contact.email,
            template: overdueReminderMail,
            params: { name: contact.name, leaderName: actor.name, moduleTitle: assignment.moduleTitle, deadline: isoDate(assignment.deadline), link: this.mailer.absoluteUrl(`/moduler/${assignment.moduleSlug}/`) },
          }),
        now,
        this.logger,
      );
      report[outcome] += 1;
    }
    this.logger.info({ unitId, assignmentId, ...report }, 'overdue reminders');
    return report;
  }

  /** The unit's latest reminders: who was reminded of what, by whom, when. */
  async log(actor: SessionUser, unitId: string, limit = 30): Promise<SentEntry[]> {
    assertCan(actor, 'unit:lead', { unitId });
    const [entries, members, cat] = await Promise.all([
      ReminderSentModel.find({ unitId: { $eq: unitId }, kind: 'overdue', sentAt: { $ne: null } }).sort({ claimedAt: -1 }).limit(limit).lean(),
      unitMembers(unitId),
      this.learning.catalogue(),
    ]);
    const names = new Map(members.map((m) => [m.id, m.name]));
    return entries.map((e) => ({
      personName: names.get(e.userId) ?? '',
      moduleTitle: moduleTitle(cat, e.moduleSlug ?? ''),
      sentBy: e.sentBy?.name ?? '',
      at: e.sentAt ?? e.claimedAt,
    }));
  }
}
