import { randomUUID } from 'node:crypto';
import { isRecordedByLeader } from '../../activities/index.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isoDate, parseDateOnly, todayDateOnly } from '../../lib/dates.js';
import { osloDateAndTime, osloDateTime } from '../../lib/oslo-time.js';
import { renderText } from '../../lib/markdown.js';
import { assertCan, can } from '../../web/policy.js';
import type { SessionUser } from '../../web/session-user.js';
import { PrerequisitesNotMetError, type LearnerNotice, type LearningService } from '../learning/index.js';
import { partnerInvitationMail } from './mail-templates.js';
import { createPartnerAccount, findPeopleByEmails, getPerson, normaliseEmail, sendActivation, unitMembers } from '../accounts/index.js';
import type { Mailer } from '../mail/index.js';
import type { Language } from '../../web/i18n.js';
import { unitChoices, unitsByIds } from '../organisation/index.js';
import { GatheringModel, NetworkModel, NetworkReportModel, ParticipantNoticeModel, participantNoticeCollection, type MissedGathering } from './models.js';
import { identifyingDetails, type Finding } from './identifying.js';

/** Ids of networks and gatherings are UUIDs; anything else is no network (404), never a query. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_DAYS_BACK = 365;
const MAX_DAYS_AHEAD = 2 * 365;
const NAME_MAX = 120;
const THEME_MAX = 80;
const MAX_THEMES = 10;
const PLACE_MAX = 200;
const AGENDA_MAX = 10_000;
const MAX_COORDINATORS = 10;
/** A network links units: at least two of them. */
const MIN_UNITS = 2;
/** How long "Mine kurs" tells a participant about a missed gathering that had no programme, or a task with no next gathering. */
const MISSED_SHOWN_DAYS = 60;
/** A participant's private report after a gathering, and the short summary they may share. */
const REPORT_MAX = 5_000;
const SHARED_SUMMARY_MAX = 1_000;
const MAX_PARTNERS = 20;
/** An e-mail address as a form can check it: something@domain.tld, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** How often a change to a network is tried again when someone else changed it at the same moment. */
const WRITE_ATTEMPTS = 5;

type PersonRef = { id: string; name: string };
type Status = 'open' | 'closed' | 'merged';

interface StoredParticipant {
  personId: string;
  name: string;
  unitId: string;
  appointedBy: PersonRef;
  appointedAt: Date;
}

interface StoredNetwork {
  _id: string;
  name: string;
  themes: string[];
  startDate: Date;
  endDate: Date | null;
  unitIds: string[];
  coordinators: PersonRef[];
  participants: StoredParticipant[];
  partners?: PersonRef[];
  status: Status;
  closedAt: Date | null;
  mergedInto: string | null;
  mergedFrom: string[];
  revision?: number;
  createdBy: PersonRef;
  createdAt: Date;
}

interface StoredGathering {
  _id: string;
  networkId: string;
  originNetworkId: string | null;
  title: string;
  startsAt: Date;
  place: string;
  agenda: string;
  programme: { moduleSlug: string; moduleTitle: string; lessonSlug: string; activityId: string; title: string } | null;
  plannedBy: PersonRef;
  createdAt: Date;
  summary?: string;
  summaryBy?: PersonRef | null;
  summaryAt?: Date | null;
  task?: string;
  completedBy?: string[];
  attendance: { recordedAt: Date; recordedBy: PersonRef; present: string[]; roster: PersonRef[] } | null;
}

/** What the administrator's form sends (every field as typed, so it can be shown again). */
export interface NetworkInput {
  name: string;
  themes: string;
  from: string;
  to: string;
  units: string[];
  coordinators: string;
}

export interface GatheringInput {
  title: string;
  date: string;
  time: string;
  place: string;
  agenda: string;
  activity: string;
}

export interface NetworkView {
  id: string;
  name: string;
  themes: string[];
  startDate: Date;
  endDate: Date | null;
  units: Array<{ id: string; name: string; type: string }>;
  coordinators: PersonRef[];
  participants: Array<{ personId: string; name: string; unitId: string; unitName: string }>;
  status: Status;
  closedAt: Date | null;
  mergedInto: { id: string; name: string } | null;
  mergedFrom: Array<{ id: string; name: string }>;
}

export interface GatheringView {
  id: string;
  networkId: string;
  title: string;
  startsAt: Date;
  place: string;
  agenda: string;
  agendaHtml: string;
  programme: StoredGathering['programme'];
  plannedBy: string;
  /** Planned in another network that was merged into this one. */
  fromMergedNetwork: boolean;
  summary: string;
  summaryHtml: string;
  summaryBy: string | null;
  summaryAt: Date | null;
  task: string;
  taskHtml: string;
  attendance: { recordedAt: Date; recordedBy: string; present: string[]; roster: PersonRef[] } | null;
  /** How many completed the programme's module through this gathering's attendance. */
  completedThrough: number;
}

export interface GatheringAttendanceResult {
  present: number;
  absent: number;
  changed: number;
  completedModule: number;
  failed: number;
}

function gatheringView(g: StoredGathering): GatheringView {
  return {
    id: g._id,
    networkId: g.networkId,
    title: g.title,
    startsAt: g.startsAt,
    place: g.place,
    agenda: g.agenda,
    agendaHtml: g.agenda ? renderText(g.agenda) : '',
    programme: g.programme ?? null,
    plannedBy: g.plannedBy.name,
    fromMergedNetwork: !!g.originNetworkId && g.originNetworkId !== g.networkId,
    summary: g.summary ?? '',
    summaryHtml: g.summary ? renderText(g.summary) : '',
    summaryBy: g.summaryBy?.name ?? null,
    summaryAt: g.summaryAt ?? null,
    task: g.task ?? '',
    taskHtml: g.task ? renderText(g.task) : '',
    attendance: g.attendance
      ? { recordedAt: g.attendance.recordedAt, recordedBy: g.attendance.recordedBy.name, present: [...g.attendance.present], roster: g.attendance.roster.map((r) => ({ id: r.id, name: r.name })) }
      : null,
    completedThrough: (g.completedBy ?? []).length,
  };
}

/** The policy's view of a network: who coordinates, who takes part, which units are in it. */
function resourceOf(n: Pick<StoredNetwork, 'coordinators' | 'participants' | 'unitIds' | 'partners'>) {
  return { coordinatorIds: n.coordinators.map((c) => c.id), participantIds: n.participants.map((p) => p.personId), unitIds: n.unitIds, partnerIds: (n.partners ?? []).map((p) => p.id) };
}

/** Whom the administrator invites as an external partner: the name is needed only for a new account. */
export interface PartnerInput {
  email: string;
  name: string;
}

/** What a participant sends after a gathering: the private report, the summary, and whether to share it. */
export interface ReportInput {
  report: string;
  summary: string;
  share: boolean;
}

/**
 * A shared summary the check refused: the form comes back with the text as typed and what to remove.
 * Nothing is stored.
 */
export class IdentifyingDetailsError extends ValidationError {
  constructor(readonly findings: Finding[]) {
    super('shared summary holds identifying details', { summary: 'networks:errors.identifying' });
  }
}

/** A gathering as an external partner sees it: no names of anyone, no attendance. */
function partnerGatheringView(g: GatheringView) {
  return { id: g.id, title: g.title, startsAt: g.startsAt, place: g.place, agendaHtml: g.agendaHtml, summaryHtml: g.summaryHtml, taskHtml: g.taskHtml };
}

function startOfToday(now: Date): number {
  return osloDateTime(isoDate(todayDateOnly(now)), '00:00')!.getTime();
}

/** The themes as typed: separated by commas or new lines, each trimmed, blanks and repeats left out. */
function parseThemes(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((t) => t.trim()).filter(Boolean))];
}

function parseEmails(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean).map(normaliseEmail))];
}

/**
 * Learning networks across units and services, and their gatherings. The municipality creates a
 * network and names its coordinators; leaders appoint participants from the units they lead;
 * coordinators plan gatherings and record who came, which completes the programme's team-session
 * activity through learning exactly as a unit's team session does.
 */
export class NetworkService {
  constructor(
    private readonly learning: Pick<LearningService, 'recordGatheringAttendance' | 'catalogue'>,
    private readonly logger: Logger,
  ) {}

  private async load(id: string): Promise<StoredNetwork> {
    const doc = ID.test(id) ? await NetworkModel.findById(id).lean<StoredNetwork>() : null;
    if (!doc) throw new NotFoundError(`network ${id}`);
    return doc;
  }

  private async loadGathering(networkId: string, id: string): Promise<StoredGathering> {
    const doc = ID.test(id) ? await GatheringModel.findById(id).lean<StoredGathering>() : null;
    if (!doc || doc.networkId !== networkId) throw new NotFoundError(`gathering ${id} in network ${networkId}`);
    return doc;
  }

  /**
   * Changes one network with a single-document write that only lands on the revision it was read
   * at (no transactions on the embedded database): a leader appointing in one unit and another
   * leader in another unit at the same moment both keep what they did.
   */
  private async change(id: string, update: (n: StoredNetwork) => Partial<StoredNetwork>): Promise<StoredNetwork> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.load(id);
      const revision = current.revision ?? 0;
      const changes = update(current);
      const result = await NetworkModel.updateOne(
        { _id: { $eq: id }, revision: revision === 0 ? { $in: [0, null] } : { $eq: revision } },
        { $set: { ...changes, revision: revision + 1 } },
      );
      if (result.matchedCount === 1) return { ...current, ...changes, revision: revision + 1 };
    }
    throw new ConflictError(`network ${id} changed while saving`);
  }

  private async view(n: StoredNetwork): Promise<NetworkView> {
    const related = [...(n.mergedInto ? [n.mergedInto] : []), ...n.mergedFrom];
    const [units, others] = await Promise.all([
      unitsByIds([...n.unitIds, ...n.participants.map((p) => p.unitId)]),
      related.length ? NetworkModel.find({ _id: { $in: related } }, { name: 1 }).lean<Array<{ _id: string; name: string }>>() : Promise.resolve([]),
    ]);
    const nameOf = (id: string) => others.find((o) => o._id === id)?.name ?? id;
    return {
      id: n._id,
      name: n.name,
      themes: [...n.themes],
      startDate: n.startDate,
      endDate: n.endDate ?? null,
      units: n.unitIds.flatMap((id) => {
        const u = units.get(id);
        return u ? [{ id: u.id, name: u.name, type: u.type }] : [];
      }),
      coordinators: n.coordinators.map((c) => ({ id: c.id, name: c.name })),
      participants: n.participants
        .map((p) => ({ personId: p.personId, name: p.name, unitId: p.unitId, unitName: units.get(p.unitId)?.name ?? '' }))
        .sort((a, b) => a.unitName.localeCompare(b.unitName, 'nb') || a.name.localeCompare(b.name, 'nb')),
      status: n.status,
      closedAt: n.closedAt ?? null,
      mergedInto: n.mergedInto ? { id: n.mergedInto, name: nameOf(n.mergedInto) } : null,
      mergedFrom: n.mergedFrom.map((id) => ({ id, name: nameOf(id) })),
    };
  }

  // ——— The municipality's administration ———

  /** Every network, open ones first, for the administrator's list. */
  async list(actor: SessionUser): Promise<Array<{ id: string; name: string; status: Status; unitCount: number; participantCount: number; coordinators: string[]; startDate: Date; endDate: Date | null }>> {
    assertCan(actor, 'networks:manage');
    const order: Record<Status, number> = { open: 0, closed: 1, merged: 2 };
    const docs = await NetworkModel.find({}).lean<StoredNetwork[]>();
    return docs
      .sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name, 'nb'))
      .map((n) => ({ id: n._id, name: n.name, status: n.status, unitCount: n.unitIds.length, participantCount: n.participants.length, coordinators: n.coordinators.map((c) => c.name), startDate: n.startDate, endDate: n.endDate ?? null }));
  }

  /** The open units a network can take in, for the form's checkboxes. */
  async unitOptions(): Promise<Array<{ id: string; name: string; type: string }>> {
    return (await unitChoices()).map((u) => ({ id: u.id, name: u.name, type: u.type }));
  }

  /** Reads the administrator's form; every mistake gets its own message. */
  private async readInput(input: NetworkInput, current: readonly string[] = []): Promise<Pick<StoredNetwork, 'name' | 'themes' | 'startDate' | 'endDate' | 'unitIds' | 'coordinators'>> {
    const fields: FieldErrors = {};
    const name = input.name.trim();
    if (!name) fields.name = 'networks:errors.nameRequired';
    else if (name.length > NAME_MAX) fields.name = 'networks:errors.nameTooLong';
    const themes = parseThemes(input.themes);
    if (themes.length > MAX_THEMES) fields.themes = 'networks:errors.tooManyThemes';
    else if (themes.some((t) => t.length > THEME_MAX)) fields.themes = 'networks:errors.themeTooLong';
    const from = parseDateOnly(input.from.trim());
    if (!input.from.trim()) fields.from = 'networks:errors.fromRequired';
    else if (!from) fields.from = 'networks:errors.dateInvalid';
    const to = input.to.trim() ? parseDateOnly(input.to.trim()) : null;
    if (input.to.trim() && !to) fields.to = 'networks:errors.dateInvalid';
    else if (to && from && to.getTime() < from.getTime()) fields.to = 'networks:errors.toBeforeFrom';
    const open = new Map((await unitChoices()).map((u) => [u.id, u]));
    const unitIds = [...new Set(input.units)];
    // A unit closed since it joined may stay in the network (its history); a new one must be open.
    if (unitIds.some((u) => !open.has(u) && !current.includes(u))) fields.units = 'networks:errors.unitUnknown';
    else if (unitIds.length < MIN_UNITS) fields.units = 'networks:errors.unitsTooFew';
    const emails = parseEmails(input.coordinators);
    let coordinators: PersonRef[] = [];
    if (!emails.length) fields.coordinators = 'networks:errors.coordinatorsRequired';
    else if (emails.length > MAX_COORDINATORS) fields.coordinators = 'networks:errors.coordinatorsTooMany';
    else {
      const found = await findPeopleByEmails(emails);
      const people = emails.map((e) => found.get(e));
      if (people.some((p) => !p || p.status === 'anonymised' || p.status === 'deactivated')) fields.coordinators = 'networks:errors.coordinatorUnknown';
      else coordinators = people.map((p) => ({ id: p!.id, name: p!.name }));
    }
    if (Object.keys(fields).length || !from) throw new ValidationError('invalid network', fields);
    return { name, themes, startDate: from, endDate: to, unitIds, coordinators };
  }

  /** The municipality creates a network and names its coordinators. Returns its id. */
  async create(actor: SessionUser, input: NetworkInput, now = new Date(), id: string = randomUUID()): Promise<string> {
    assertCan(actor, 'networks:manage');
    const values = await this.readInput(input);
    await NetworkModel.create({ _id: id, ...values, participants: [], status: 'open', closedAt: null, mergedInto: null, mergedFrom: [], revision: 0, createdBy: { id: actor.id, name: actor.name }, createdAt: now });
    this.logger.info({ networkId: id, units: values.unitIds.length }, 'network created');
    return id;
  }

  /** The network for the administrator's page, with the other open networks it could be merged into. */
  async forAdmin(actor: SessionUser, id: string) {
    assertCan(actor, 'networks:manage');
    const stored = await this.load(id);
    const [network, others] = await Promise.all([this.view(stored), NetworkModel.find({ status: { $eq: 'open' }, _id: { $ne: id } }, { name: 1 }).lean<Array<{ _id: string; name: string }>>()]);
    const values: NetworkInput = {
      name: stored.name,
      themes: stored.themes.join(', '),
      from: isoDate(stored.startDate),
      to: stored.endDate ? isoDate(stored.endDate) : '',
      units: [...stored.unitIds],
      coordinators: '',
    };
    const emails = await this.coordinatorEmails(stored);
    values.coordinators = emails.join('\n');
    const partnerPeople = await Promise.all((stored.partners ?? []).map((p) => getPerson(p.id).then((person) => ({ id: p.id, name: p.name, email: person.email })).catch(() => ({ id: p.id, name: p.name, email: '' }))));
    return { network, values, partners: partnerPeople, mergeTargets: others.map((o) => ({ id: o._id, name: o.name })).sort((a, b) => a.name.localeCompare(b.name, 'nb')) };
  }

  private async coordinatorEmails(n: StoredNetwork): Promise<string[]> {
    const people = await Promise.all(n.coordinators.map((c) => getPerson(c.id).catch(() => null)));
    return people.flatMap((p) => (p ? [p.email] : []));
  }

  /**
   * Edits a network. Participants appointed from a unit that leaves the network leave with it
   * (their leader appointed them to work with the others in it).
   */
  async update(actor: SessionUser, id: string, input: NetworkInput): Promise<void> {
    assertCan(actor, 'networks:manage');
    const values = await this.readInput(input, (await this.load(id)).unitIds);
    await this.change(id, (n) => {
      if (n.status !== 'open') throw new ValidationError('network not open', { name: 'networks:errors.notOpen' });
      return { ...values, participants: n.participants.filter((p) => values.unitIds.includes(p.unitId)) };
    });
  }

  /** Closes a network: its work is done; it stays with its gatherings as history. */
  async close(actor: SessionUser, id: string, now = new Date()): Promise<void> {
    assertCan(actor, 'networks:manage');
    await this.change(id, (n) => {
      if (n.status !== 'open') throw new ValidationError('network not open', { close: 'networks:errors.notOpen' });
      return { status: 'closed', closedAt: now };
    });
    this.logger.info({ networkId: id }, 'network closed');
  }

  /**
   * Merges one network into another: the other takes in its units, coordinators, participants,
   * themes and gatherings (each gathering remembers where it was planned); the merged one stays,
   * marked as merged into the other, so links and history still lead somewhere.
   */
  async merge(actor: SessionUser, fromId: string, intoId: string, now = new Date()): Promise<void> {
    assertCan(actor, 'networks:manage');
    const from = await this.load(fromId);
    if (from.status !== 'open') throw new ValidationError('network not open', { into: 'networks:errors.notOpen' });
    if (!ID.test(intoId) || intoId === fromId) throw new ValidationError('no merge target', { into: 'networks:errors.mergeTarget' });
    const into = await NetworkModel.findById(intoId).lean<StoredNetwork>();
    if (!into || into.status !== 'open') throw new ValidationError('no merge target', { into: 'networks:errors.mergeTarget' });
    await this.change(intoId, (n) => {
      const has = new Set(n.participants.map((p) => `${p.personId}:${p.unitId}`));
      const coordinatorIds = new Set(n.coordinators.map((c) => c.id));
      return {
        unitIds: [...new Set([...n.unitIds, ...from.unitIds])],
        themes: [...new Set([...n.themes, ...from.themes])],
        coordinators: [...n.coordinators, ...from.coordinators.filter((c) => !coordinatorIds.has(c.id))],
        participants: [...n.participants, ...from.participants.filter((p) => !has.has(`${p.personId}:${p.unitId}`))],
        startDate: from.startDate.getTime() < n.startDate.getTime() ? from.startDate : n.startDate,
        endDate: n.endDate && from.endDate ? (from.endDate.getTime() > n.endDate.getTime() ? from.endDate : n.endDate) : null,
        partners: [...(n.partners ?? []), ...(from.partners ?? []).filter((p) => !(n.partners ?? []).some((q) => q.id === p.id))],
        mergedFrom: [...new Set([...n.mergedFrom, fromId])],
      };
    });
    await this.change(fromId, () => ({ status: 'merged', closedAt: now, mergedInto: intoId }));
    // Each gathering is one document: moved one by one, each keeping the network it was planned in.
    const gatherings = await GatheringModel.find({ networkId: { $eq: fromId } }, { _id: 1, originNetworkId: 1 }).lean<Array<Pick<StoredGathering, '_id' | 'originNetworkId'>>>();
    for (const g of gatherings) {
      await GatheringModel.updateOne({ _id: { $eq: g._id } }, { $set: { networkId: intoId, originNetworkId: g.originNetworkId ?? fromId } });
    }
    this.logger.info({ from: fromId, into: intoId, gatherings: gatherings.length }, 'networks merged');
  }

  // ——— Everyone in a network ———

  /** The networks a person coordinates, takes part in or (as a leader) has a unit in. */
  async mine(actor: SessionUser): Promise<Array<{ id: string; name: string; status: Status; coordinator: boolean; participant: boolean; partner: boolean }>> {
    const led = [...actor.leaderOf];
    const docs = await NetworkModel.find(
      { $or: [{ 'coordinators.id': { $eq: actor.id } }, { 'participants.personId': { $eq: actor.id } }, { 'partners.id': { $eq: actor.id } }, ...(led.length ? [{ unitIds: { $in: led } }] : [])] },
      { name: 1, status: 1, coordinators: 1, participants: 1, partners: 1 },
    ).lean<StoredNetwork[]>();
    return docs
      .map((n) => ({
        id: n._id,
        name: n.name,
        status: n.status,
        coordinator: n.coordinators.some((c) => c.id === actor.id),
        participant: n.participants.some((p) => p.personId === actor.id),
        partner: (n.partners ?? []).some((p) => p.id === actor.id),
      }))
      .sort((a, b) => (a.status === 'open' ? 0 : 1) - (b.status === 'open' ? 0 : 1) || a.name.localeCompare(b.name, 'nb'));
  }

  /**
   * A network as the person may see it, from one read of it: as one in it (`network:view`, the
   * member page), or as an invited external partner only (`network:partner-view`: its name, themes,
   * period and gatherings — never who takes part). Anyone else gets 403, a network that is none 404.
   */
  async networkPage(actor: SessionUser, id: string, now = new Date()) {
    const stored = await this.load(id);
    const resource = resourceOf(stored);
    if (can(actor, 'network:view', resource)) return { as: 'member' as const, ...(await this.memberNetworkPage(actor, stored, now)) };
    assertCan(actor, 'network:partner-view', resource);
    const gatherings = await GatheringModel.find({ networkId: { $eq: id } }).lean<StoredGathering[]>();
    return {
      as: 'partner' as const,
      network: { id: stored._id, name: stored.name, themes: [...stored.themes], startDate: stored.startDate, endDate: stored.endDate ?? null, status: stored.status },
      gatherings: gatherings.map(gatheringView).map(partnerGatheringView).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
    };
  }

  /**
   * One gathering as the person may see it, from one read of the network: for everyone in it (the
   * coordinator also gets the attendance list), or for an invited partner its date, place, agenda,
   * summary, task and the shared anonymous summaries.
   */
  async gatheringPage(actor: SessionUser, networkId: string, id: string, now = new Date()) {
    const network = await this.load(networkId);
    const resource = resourceOf(network);
    if (can(actor, 'network:view', resource)) return { as: 'member' as const, ...(await this.memberGatheringPage(actor, network, id, now)) };
    assertCan(actor, 'network:partner-view', resource);
    const gathering = await this.loadGathering(networkId, id);
    return { as: 'partner' as const, network: { id: network._id, name: network.name }, gathering: partnerGatheringView(gatheringView(gathering)), shared: await this.sharedSummaries(id) };
  }

  /** The summaries participants shared from a gathering, oldest first, without name or unit. */
  private async sharedSummaries(gatheringId: string): Promise<Array<{ text: string; sharedAt: Date }>> {
    const docs = await NetworkReportModel.find({ gatheringId: { $eq: gatheringId }, shared: { $eq: true } }, { summary: 1, sharedAt: 1 }).lean<Array<{ summary: string; sharedAt: Date }>>();
    return docs.map((d) => ({ text: d.summary, sharedAt: d.sharedAt })).sort((a, b) => a.sharedAt.getTime() - b.sharedAt.getTime());
  }

  /** A network's page for one in it: facts, units, participants and gatherings; coordinators also get the planning form. */
  private async memberNetworkPage(actor: SessionUser, stored: StoredNetwork, now: Date) {
    const [network, gatherings, activities] = await Promise.all([
      this.view(stored),
      GatheringModel.find({ networkId: { $eq: stored._id } }).lean<StoredGathering[]>(),
      this.activities(),
    ]);
    const views = gatherings.map(gatheringView);
    const today = startOfToday(now);
    const upcoming = views.filter((g) => !g.attendance && g.startsAt.getTime() >= today).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const past = views.filter((g) => !upcoming.includes(g)).sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
    const isCoordinator = can(actor, 'network:coordinate', resourceOf(stored));
    const report = isCoordinator || can(actor, 'networks:manage') ? this.networkReport(network, past) : null;
    return { network, upcoming, past, isCoordinator, canPlan: isCoordinator && stored.status === 'open', activities, ledUnits: network.units.filter((u) => actor.leaderOf.has(u.id)), report };
  }

  /** Every team-session activity of the published modules, for a gathering's programme. */
  async activities(): Promise<Array<{ value: string; moduleTitle: string; title: string; minutes: number }>> {
    const cat = await this.learning.catalogue();
    return cat.items.flatMap((item) =>
      item.latest.activities
        .filter((a) => isRecordedByLeader(a.kind))
        .map((a) => ({ value: `${item.slug}/${a.id}`, moduleTitle: item.title, title: String(a.view.title ?? a.id), minutes: Number(a.view.minutes ?? 0) })),
    );
  }

  // ——— Leaders appoint participants ———

  /**
   * A unit's networks for its leader: each open network the unit is in, with the unit's staff and
   * whether each takes part; and, per person, the networks they take part in.
   */
  async forUnit(actor: SessionUser, unitId: string, now = new Date()) {
    assertCan(actor, 'unit:lead', { unitId });
    const [docs, members] = await Promise.all([NetworkModel.find({ unitIds: { $eq: unitId } }).lean<StoredNetwork[]>(), unitMembers(unitId, now)]);
    const networks = docs
      .filter((n) => n.status === 'open')
      .sort((a, b) => a.name.localeCompare(b.name, 'nb'))
      .map((n) => {
        const taking = new Set(n.participants.filter((p) => p.unitId === unitId).map((p) => p.personId));
        return { id: n._id, name: n.name, themes: n.themes, startDate: n.startDate, endDate: n.endDate ?? null, staff: members.map((m) => ({ id: m.id, name: m.name, participant: taking.has(m.id) })) };
      });
    const byPerson = members
      .map((m) => ({ id: m.id, name: m.name, networks: networks.filter((n) => n.staff.some((s) => s.id === m.id && s.participant)).map((n) => ({ id: n.id, name: n.name })) }))
      .filter((p) => p.networks.length);
    return { networks, byPerson };
  }

  /**
   * A leader sets who takes part from their unit: those ticked are appointed (or stay), the unit's
   * others leave the network. People of other units are never touched.
   */
  async setParticipants(actor: SessionUser, unitId: string, networkId: string, personIds: readonly string[], now = new Date()): Promise<{ appointed: number; removed: number }> {
    assertCan(actor, 'unit:lead', { unitId });
    const members = await unitMembers(unitId, now);
    const memberById = new Map(members.map((m) => [m.id, m]));
    const wanted = new Set(personIds);
    if ([...wanted].some((p) => !memberById.has(p))) throw new ValidationError('not in unit', { [`participants-${networkId}`]: 'networks:errors.notInUnit' });
    let appointed = 0;
    let removed = 0;
    await this.change(networkId, (n) => {
      if (!n.unitIds.includes(unitId)) throw new NotFoundError(`unit ${unitId} is not in network ${networkId}`);
      if (n.status !== 'open') throw new ValidationError('network not open', { [`participants-${networkId}`]: 'networks:errors.notOpen' });
      const others = n.participants.filter((p) => p.unitId !== unitId);
      const before = n.participants.filter((p) => p.unitId === unitId);
      const kept = before.filter((p) => wanted.has(p.personId));
      const added = [...wanted]
        .filter((id) => !kept.some((p) => p.personId === id))
        .map((id) => ({ personId: id, name: memberById.get(id)!.name, unitId, appointedBy: { id: actor.id, name: actor.name }, appointedAt: now }));
      appointed = added.length;
      removed = before.length - kept.length;
      return { participants: [...others, ...kept, ...added] };
    });
    this.logger.info({ networkId, unitId, appointed, removed }, 'network participants set');
    return { appointed, removed };
  }

  // ——— Gatherings ———

  /** A coordinator plans a gathering. Returns its id. */
  async planGathering(actor: SessionUser, networkId: string, input: GatheringInput, now = new Date(), id: string = randomUUID()): Promise<string> {
    const network = await this.load(networkId);
    assertCan(actor, 'network:coordinate', resourceOf(network));
    const fields: FieldErrors = {};
    if (network.status !== 'open') fields.title = 'networks:errors.notOpen';
    const title = input.title.trim();
    if (!title) fields.title = 'networks:errors.titleRequired';
    else if (title.length > NAME_MAX) fields.title = 'networks:errors.titleTooLong';
    const day = parseDateOnly(input.date.trim());
    const today = todayDateOnly(now);
    if (!input.date.trim()) fields.date = 'networks:errors.dateRequired';
    else if (!day) fields.date = 'networks:errors.dateInvalid';
    else if (day.getTime() < today.getTime() - MAX_DAYS_BACK * 86_400_000) fields.date = 'networks:errors.dateTooOld';
    else if (day.getTime() > today.getTime() + MAX_DAYS_AHEAD * 86_400_000) fields.date = 'networks:errors.dateTooFar';
    if (!input.time.trim()) fields.time = 'networks:errors.timeRequired';
    const startsAt = day ? osloDateTime(input.date, input.time) : null;
    if (!fields.time && day && !startsAt) fields.time = 'networks:errors.timeInvalid';
    const place = input.place.trim();
    if (!place) fields.place = 'networks:errors.placeRequired';
    else if (place.length > PLACE_MAX) fields.place = 'networks:errors.placeTooLong';
    const agenda = input.agenda.trim();
    if (agenda.length > AGENDA_MAX) fields.agenda = 'networks:errors.agendaTooLong';
    let programme: StoredGathering['programme'] = null;
    if (input.activity.trim()) {
      const [slug, activityId] = input.activity.split('/');
      const item = slug ? (await this.learning.catalogue()).bySlug.get(slug) : undefined;
      const activity = item?.latest.activities.find((a) => a.id === activityId && isRecordedByLeader(a.kind));
      if (!item || !activity) fields.activity = 'networks:errors.activity';
      else programme = { moduleSlug: item.slug, moduleTitle: item.title, lessonSlug: activity.lesson, activityId: activity.id, title: String(activity.view.title ?? activity.id) };
    }
    if (Object.keys(fields).length || !startsAt) throw new ValidationError('invalid gathering', fields);
    await GatheringModel.create({ _id: id, networkId, originNetworkId: null, title, startsAt, place, agenda, programme, plannedBy: { id: actor.id, name: actor.name }, createdAt: now, attendance: null });
    this.logger.info({ networkId, gatheringId: id, module: programme?.moduleSlug ?? null }, 'gathering planned');
    return id;
  }

  /** Attendance can be recorded from the day of the gathering. */
  private mayRecordYet(g: Pick<StoredGathering, 'startsAt'>, now: Date): boolean {
    return osloDateAndTime(g.startsAt).date <= isoDate(todayDateOnly(now));
  }

  /** One gathering for one in the network; the coordinator also gets the attendance list. */
  private async memberGatheringPage(actor: SessionUser, network: StoredNetwork, id: string, now: Date) {
    const stored = await this.loadGathering(network._id, id);
    const gathering = gatheringView(stored);
    const isCoordinator = can(actor, 'network:coordinate', resourceOf(network));
    const present = new Set(gathering.attendance?.present ?? []);
    const units = await unitsByIds(network.participants.map((p) => p.unitId));
    const participants = network.participants
      .map((p) => ({ id: p.personId, name: p.name, unitName: units.get(p.unitId)?.name ?? '', present: present.has(p.personId) }))
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
      .sort((a, b) => a.unitName.localeCompare(b.unitName, 'nb') || a.name.localeCompare(b.name, 'nb'));
    const absent = gathering.attendance ? gathering.attendance.roster.filter((r) => !present.has(r.id)) : [];
    const isParticipant = can(actor, 'network:participate', resourceOf(network));
    const mine = isParticipant ? await NetworkReportModel.findById(`${id}:${actor.id}`).lean<{ report: string; summary: string; shared: boolean }>() : null;
    return {
      network: { id: network._id, name: network.name, status: network.status },
      gathering,
      isCoordinator,
      canReport: isParticipant && this.mayRecordYet(stored, now),
      myReport: { report: mine?.report ?? '', summary: mine?.summary ?? '', share: !!mine?.shared },
      shared: await this.sharedSummaries(id),
      participants: isCoordinator ? participants : [],
      absent: isCoordinator ? absent : [],
      canRecord: isCoordinator && this.mayRecordYet(stored, now),
      wasThere: present.has(actor.id),
    };
  }

  /**
   * The coordinator records who came. For a gathering with a programme, each one present gets the
   * team-session activity completed through learning (prerequisites and completion rules as for a
   * unit's team session); a mistaken tick taken back is taken back there too, unless another
   * gathering of the same activity counts for the person. Participants recorded absent are told
   * on "Mine kurs" what they missed.
   */
  async recordAttendance(actor: SessionUser, networkId: string, id: string, presentIds: readonly string[], now = new Date()): Promise<GatheringAttendanceResult> {
    const network = await this.load(networkId);
    const resource = resourceOf(network);
    assertCan(actor, 'network:coordinate', resource);
    const stored = await this.loadGathering(networkId, id);
    if (!this.mayRecordYet(stored, now)) throw new ValidationError('gathering has not happened', { attendance: 'networks:errors.notYet' });
    const roster = network.participants
      .map((p) => ({ id: p.personId, name: p.name }))
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i);
    const rosterIds = new Set(roster.map((r) => r.id));
    const present = new Set(presentIds);
    if ([...present].some((p) => !rosterIds.has(p))) throw new ValidationError('not a participant', { attendance: 'networks:errors.notParticipant' });
    const before = new Set(stored.attendance?.present ?? []);
    const untick = [...before].filter((p) => !present.has(p) && rosterIds.has(p));

    let changed = 0;
    let completedModule = 0;
    let failed = 0;
    const completedBy = new Set((stored.completedBy ?? []).filter((p) => present.has(p)));
    const programme = stored.programme;
    if (programme) {
      const elsewhere = await this.presentElsewhere(stored, untick);
      const record = async (personId: string, attended: boolean) => {
        try {
          const result = await this.learning.recordGatheringAttendance(actor, { personId, slug: programme.moduleSlug, activityId: programme.activityId, attended, now, network: resource });
          if (result.applied) changed += 1;
          if (result.completedNow) {
            completedModule += 1;
            if (attended) completedBy.add(personId);
          }
        } catch (err) {
          // As at a unit's team session: someone in an older major version without this activity,
          // or who has not met the module's prerequisites, is left out and counted for the coordinator.
          if (!(err instanceof NotFoundError) && !(err instanceof PrerequisitesNotMetError)) throw err;
          failed += 1;
          this.logger.warn({ gatheringId: id, personId, reason: err.message }, 'gathering attendance not recorded for a person');
        }
      };
      for (const r of roster) if (present.has(r.id)) await record(r.id, true);
      for (const personId of untick) if (!elsewhere.has(personId)) await record(personId, false);
    }
    await GatheringModel.updateOne(
      { _id: { $eq: stored._id } },
      { $set: { attendance: { recordedAt: now, recordedBy: { id: actor.id, name: actor.name }, present: [...present], roster }, completedBy: [...completedBy] } },
    );
    await this.updateMissed(stored, network, roster, present);
    this.logger.info({ networkId, gatheringId: id, present: present.size, absent: roster.length - present.size, changed }, 'gathering attendance saved');
    return { present: present.size, absent: roster.length - present.size, changed, completedModule, failed };
  }

  /**
   * The coordinator shares (or corrects, or empties) what the gathering went through, and a task for
   * the participants to try out before the next gathering.
   */
  async saveSummary(actor: SessionUser, networkId: string, id: string, input: { summary: string; task?: string }, now = new Date()): Promise<void> {
    const network = await this.load(networkId);
    assertCan(actor, 'network:coordinate', resourceOf(network));
    const stored = await this.loadGathering(networkId, id);
    const text = input.summary.trim();
    const task = (input.task ?? '').trim();
    const fields: FieldErrors = {};
    if (text.length > AGENDA_MAX) fields.summary = 'networks:errors.summaryTooLong';
    if (task.length > AGENDA_MAX) fields.task = 'networks:errors.taskTooLong';
    if (Object.keys(fields).length) throw new ValidationError('summary too long', fields);
    const shared = !!(text || task);
    await GatheringModel.updateOne({ _id: { $eq: stored._id } }, { $set: { summary: text, task, summaryBy: shared ? { id: actor.id, name: actor.name } : null, summaryAt: shared ? now : null } });
  }

  /**
   * A participant writes their report after a gathering (only they read it) and may share a short
   * summary with the network — never by default. A summary to be shared is checked for details that
   * could identify a child; a refused one shares nothing and stores nothing (the form keeps the text).
   * Sharing nothing takes back a summary shared before.
   */
  async saveReport(actor: SessionUser, networkId: string, id: string, input: ReportInput, now = new Date()): Promise<{ shared: boolean }> {
    const network = await this.load(networkId);
    assertCan(actor, 'network:participate', resourceOf(network));
    const stored = await this.loadGathering(networkId, id);
    const report = input.report.trim();
    const summary = input.summary.trim();
    const fields: FieldErrors = {};
    if (!this.mayRecordYet(stored, now)) fields.report = 'networks:errors.reportNotYet';
    if (report.length > REPORT_MAX) fields.report = 'networks:errors.reportTooLong';
    if (summary.length > SHARED_SUMMARY_MAX) fields.summary = 'networks:errors.sharedTooLong';
    else if (input.share && !summary) fields.summary = 'networks:errors.sharedRequired';
    if (Object.keys(fields).length) throw new ValidationError('invalid report', fields);
    if (input.share) {
      const units = await unitChoices();
      const known = [network.name, ...network.themes, stored.title, stored.place, ...units.map((u) => u.name)];
      const findings = identifyingDetails(summary, known);
      if (findings.length) throw new IdentifyingDetailsError(findings);
    }
    const before = await NetworkReportModel.findById(`${id}:${actor.id}`).lean<{ shared: boolean; sharedAt: Date | null; summary: string }>();
    const keepDate = input.share && before?.shared && before.summary === summary;
    await NetworkReportModel.updateOne(
      { _id: { $eq: `${id}:${actor.id}` } },
      { $set: { gatheringId: id, personId: actor.id, report, summary, shared: input.share, sharedAt: input.share ? (keepDate ? before.sharedAt : now) : null, updatedAt: now } },
      { upsert: true },
    );
    this.logger.info({ networkId, gatheringId: id, shared: input.share }, 'network report saved');
    return { shared: input.share };
  }

  // ——— External partners ———

  /**
   * The municipality invites an external partner (a university teacher) by e-mail; they see the
   * network's gatherings and shared summaries only. An existing account without a unit membership
   * is invited as it is. For an address without an account, the name is needed: an invited account
   * is created through the accounts identity service (no platform role, no unit membership) and the
   * activation mail is sent with the same link as for new staff, after the invitation is stored.
   * A staff account is refused: staff take part through their leader, as participants. Everything is
   * checked before anything is written, so a refused invitation leaves no account behind.
   */
  async invitePartner(actor: SessionUser, networkId: string, input: PartnerInput, mail?: { mailer: Mailer; lang: Language }): Promise<{ created: boolean }> {
    assertCan(actor, 'networks:manage');
    const address = normaliseEmail(input.email.trim());
    const name = input.name.trim();
    if (!address) throw new ValidationError('no partner', { partner: 'networks:errors.partnerRequired' });
    if (address.length > 254 || !EMAIL.test(address)) throw new ValidationError('invalid e-mail', { partner: 'networks:errors.partnerEmailInvalid' });
    const network = await this.load(networkId);
    const partners = network.partners ?? [];
    if (network.status !== 'open') throw new ValidationError('network not open', { partner: 'networks:errors.notOpen' });
    if (partners.length >= MAX_PARTNERS) throw new ValidationError('too many partners', { partner: 'networks:errors.partnersTooMany' });
    const existing = (await findPeopleByEmails([address])).get(address);
    let person: PersonRef;
    let created = false;
    if (existing) {
      if (existing.status === 'anonymised' || existing.status === 'deactivated') throw new ValidationError('no partner', { partner: 'networks:errors.partnerUnknown' });
      if (existing.memberships.some((m) => m.current || !m.endDate || m.endDate.getTime() > Date.now())) throw new ValidationError('staff account', { partner: 'networks:errors.partnerIsStaff' });
      if (partners.some((p) => p.id === existing.id)) throw new ValidationError('already a partner', { partner: 'networks:errors.partnerAlready' });
      person = { id: existing.id, name: existing.name };
    } else {
      if (!name) throw new ValidationError('no name', { partnerName: 'networks:errors.partnerNameRequired' });
      if (name.length > NAME_MAX) throw new ValidationError('name too long', { partnerName: 'networks:errors.partnerNameTooLong' });
      try {
        person = { id: await createPartnerAccount(actor, { email: address, name }), name };
      } catch (err) {
        if (err instanceof ConflictError) throw new ValidationError('e-mail taken meanwhile', { partner: 'networks:errors.partnerEmailTaken' });
        throw err;
      }
      created = true;
    }
    await this.change(networkId, (n) => {
      if (n.status !== 'open') throw new ValidationError('network not open', { partner: 'networks:errors.notOpen' });
      const now = n.partners ?? [];
      if (now.some((p) => p.id === person.id)) throw new ValidationError('already a partner', { partner: 'networks:errors.partnerAlready' });
      if (now.length >= MAX_PARTNERS) throw new ValidationError('too many partners', { partner: 'networks:errors.partnersTooMany' });
      return { partners: [...now, person] };
    });
    // The invitation is stored; a new account's mail carries the activation link (valid seven days;
    // the administrator can send a new one from the person's page), an existing account is told
    // where the network is.
    if (mail && (created || existing?.status === 'invited')) await sendActivation(mail.mailer, person.id, { lang: mail.lang });
    else if (mail) {
      await mail.mailer.send({
        to: address,
        lang: mail.lang,
        template: partnerInvitationMail,
        params: { name: person.name, network: network.name, link: mail.mailer.absoluteUrl(`/nettverk/${networkId}`) },
      });
    }
    this.logger.info({ networkId, partnerId: person.id, created }, 'network partner invited');
    return { created };
  }

  /** The municipality takes a partner's access away. */
  async removePartner(actor: SessionUser, networkId: string, personId: string): Promise<void> {
    assertCan(actor, 'networks:manage');
    await this.change(networkId, (n) => ({ partners: (n.partners ?? []).filter((p) => p.id !== personId) }));
    this.logger.info({ networkId, partnerId: personId }, 'network partner removed');
  }

  /**
   * The network's report, for coordinators and the municipality: participants per unit and per unit
   * type, attendance by unit at each held gathering ("2 of 3 from Solsikken"), and per gathering how
   * many came and how many completed the programme's module through it. Each person counts for the
   * unit they were first appointed from. Exact counts, no small-cell suppression: everyone who gets
   * this report already sees the participants by name and the attendance list (see docs/networks.md).
   */
  private networkReport(network: NetworkView, held: GatheringView[]) {
    const unitOf = new Map<string, { id: string; name: string; type: string }>();
    const typeOf = new Map(network.units.map((u) => [u.id, u.type]));
    for (const p of network.participants) if (!unitOf.has(p.personId)) unitOf.set(p.personId, { id: p.unitId, name: p.unitName, type: typeOf.get(p.unitId) ?? '' });
    const units = [...new Map([...unitOf.values()].map((u) => [u.id, u])).values()].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
    const gatherings = held.filter((g) => g.attendance).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const people = [...unitOf.values()];
    const types = [...new Set(people.map((u) => u.type))].sort();
    return {
      gatherings: gatherings.map((g) => ({ id: g.id, title: g.title, startsAt: g.startsAt, present: g.attendance!.present.length, total: g.attendance!.roster.length, completed: g.completedThrough, programme: g.programme?.moduleTitle ?? null })),
      participantsByUnit: units.map((u) => ({ unit: u.name, type: u.type, count: people.filter((p) => p.id === u.id).length })),
      participantsByType: types.map((type) => ({ type, count: people.filter((p) => p.type === type).length })),
      participants: people.length,
      completed: gatherings.reduce((sum, g) => sum + g.completedThrough, 0),
      rows: units.map((u) => ({
        unit: u.name,
        cells: gatherings.map((g) => {
          const roster = g.attendance!.roster.filter((r) => unitOf.get(r.id)?.id === u.id);
          return { present: roster.filter((r) => g.attendance!.present.includes(r.id)).length, total: roster.length };
        }),
      })),
    };
  }

  /** Of these people, those recorded present at another gathering with the same programme. */
  private async presentElsewhere(g: StoredGathering, personIds: string[]): Promise<Set<string>> {
    if (!personIds.length || !g.programme) return new Set();
    const others = await GatheringModel.find(
      { 'programme.moduleSlug': { $eq: g.programme.moduleSlug }, 'programme.activityId': { $eq: g.programme.activityId }, _id: { $ne: g._id }, 'attendance.present': { $in: personIds } },
      { 'attendance.present': 1 },
    ).lean<Array<Pick<StoredGathering, 'attendance'>>>();
    const wanted = new Set(personIds);
    return new Set(others.flatMap((o) => o.attendance?.present ?? []).filter((p) => wanted.has(p)));
  }

  /**
   * Absent participants are told what they missed; those present have it cleared, and with it every
   * gathering they missed with the same programme (they have now been through it).
   */
  private async updateMissed(g: StoredGathering, network: StoredNetwork, roster: PersonRef[], present: Set<string>): Promise<void> {
    const item: MissedGathering = { networkId: network._id, networkName: network.name, title: g.title, startsAt: g.startsAt, moduleSlug: g.programme?.moduleSlug ?? '', activityId: g.programme?.activityId ?? '' };
    for (const r of roster) {
      if (present.has(r.id)) {
        const doc = await ParticipantNoticeModel.findById(r.id).lean<{ missed?: Record<string, MissedGathering> }>();
        const clear = Object.entries(doc?.missed ?? {})
          .filter(([id, it]) => id === g._id || (!!item.activityId && it.moduleSlug === item.moduleSlug && it.activityId === item.activityId))
          .map(([id]) => `missed.${id}`);
        if (clear.length) await participantNoticeCollection.updateOne({ _id: r.id }, { $unset: Object.fromEntries(clear.map((k) => [k, ''])) });
      } else {
        await participantNoticeCollection.updateOne({ _id: r.id }, { $set: { [`missed.${g._id}`]: item } }, { upsert: true });
      }
    }
  }

  /**
   * What "Mine kurs" tells a participant: the gatherings coming up in their open networks, and those
   * they were recorded absent from (until they come to one with the same programme).
   */
  async notices(learner: { id: string }, now = new Date()): Promise<LearnerNotice[]> {
    const [networks, doc, partnerOf] = await Promise.all([
      NetworkModel.find({ 'participants.personId': { $eq: learner.id }, status: { $eq: 'open' } }, { name: 1 }).lean<Array<{ _id: string; name: string }>>(),
      ParticipantNoticeModel.findById(learner.id).lean<{ missed?: Record<string, MissedGathering> }>(),
      NetworkModel.find({ 'partners.id': { $eq: learner.id }, status: { $eq: 'open' } }, { name: 1 }).lean<Array<{ _id: string; name: string }>>(),
    ]);
    // An invited external partner lands on "Mine kurs" after activating the account: it leads them to their networks.
    const partner: LearnerNotice[] = partnerOf
      .sort((a, b) => a.name.localeCompare(b.name, 'nb'))
      .map((n) => ({ moduleSlug: '', messageKey: 'networks:notice.partner', params: { network: n.name }, date: null, link: { href: `/nettverk/${n._id}`, labelKey: 'networks:notice.partnerLink' } }));
    const nameOf = new Map(networks.map((n) => [n._id, n.name]));
    // A merge moves a gathering to another network: link to where it is now.
    const missedIds = Object.keys(doc?.missed ?? {});
    const movedTo = new Map(
      (missedIds.length ? await GatheringModel.find({ _id: { $in: missedIds } }, { networkId: 1 }).lean<Array<{ _id: string; networkId: string }>>() : []).map((g) => [g._id, g.networkId]),
    );
    const today = startOfToday(now);
    const shownSince = now.getTime() - MISSED_SHOWN_DAYS * 86_400_000;
    const recent = networks.length
      ? await GatheringModel.find({ networkId: { $in: networks.map((n) => n._id) }, startsAt: { $gte: new Date(shownSince) } }).lean<StoredGathering[]>()
      : [];
    const upcoming = recent.filter((g) => !g.attendance && g.startsAt.getTime() >= today);
    // A task between gatherings stands until the network's next gathering has begun (or for a while, if none comes).
    const tasks: LearnerNotice[] = recent
      .filter((g) => !!g.task && g.startsAt.getTime() < now.getTime())
      .filter((g) => !recent.some((later) => later.networkId === g.networkId && later.startsAt.getTime() > g.startsAt.getTime() && later.startsAt.getTime() <= now.getTime()))
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())
      .map((g) => ({
        moduleSlug: g.programme?.moduleSlug ?? '',
        messageKey: 'networks:notice.task',
        params: { title: g.title, network: nameOf.get(g.networkId) ?? '' },
        date: g.startsAt,
        link: { href: `/nettverk/${g.networkId}/samlinger/${g._id}#task-heading`, labelKey: 'networks:notice.taskLink' },
      }));
    const coming: LearnerNotice[] = upcoming
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
      .map((g) => ({
        moduleSlug: g.programme?.moduleSlug ?? '',
        messageKey: 'networks:notice.upcoming',
        params: { title: g.title, network: nameOf.get(g.networkId) ?? '', place: g.place },
        date: g.startsAt,
        link: { href: `/nettverk/${g.networkId}/samlinger/${g._id}`, labelKey: 'networks:notice.upcomingLink' },
      }));
    // What was missed at a gathering without a programme cannot be made up for: it is shown for a while.
    const missed: LearnerNotice[] = Object.entries(doc?.missed ?? {})
      .filter(([, it]) => !!it.activityId || new Date(it.startsAt).getTime() >= shownSince)
      .sort(([, a], [, b]) => new Date(b.startsAt).getTime() - new Date(a.startsAt).getTime())
      .map(([gatheringId, it]) => ({
        moduleSlug: it.moduleSlug,
        messageKey: 'networks:notice.missed',
        params: { title: it.title, network: it.networkName },
        date: new Date(it.startsAt),
        link: { href: `/nettverk/${movedTo.get(gatheringId) ?? it.networkId}/samlinger/${gatheringId}`, labelKey: 'networks:notice.missedLink' },
      }));
    return [...partner, ...coming, ...tasks, ...missed];
  }
}
