import type { Logger } from '../../lib/logger.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { findUnitIdsByName } from '../organisation/index.js';
import { sessionUserByEmail } from '../accounts/index.js';
import { LearningService, ProgressService } from '../learning/index.js';
import { GatheringModel, NetworkModel, NetworkReportModel } from './models.js';
import { NetworkService } from './networks.service.js';

/**
 * The demo municipality's learning network, «Laget rundt barna»: three kindergartens, a school and
 * PPT, coordinated by the styrer of Solsikken barnehage, with staff from two units taking part. One
 * gathering was held two weeks ago with attendance recorded (someone absent is told what they
 * missed); one is planned three weeks ahead with a module's team session as its programme. The held
 * one has no programme, so the demo's completion figures stay as the demo municipality made them.
 * A university teacher is invited as the network's external partner, and one participant has shared
 * a summary from the held gathering without name, so the partner's view has something to show.
 * Fixed ids (in the UUID form the routes accept) and a check before each step keep it idempotent.
 */
export const DEMO_NETWORK = {
  id: '00000000-0000-4000-8000-00000000e201',
  name: 'Laget rundt barna – Nordbyen',
  themes: 'tidlig innsats, tverrfaglig samarbeid, pedagogisk analyse',
  units: ['Solsikken barnehage', 'Kråkeslottet barnehage', 'Lindealleen barnehage', 'Nordbyen skole', 'PPT Sentrum'],
  adminEmail: 'kommune@fellesskap.example',
  coordinatorEmail: 'styrer@fellesskap.example',
  /** The external partner, a university teacher: she sees the gatherings and the shared summaries only. */
  partnerEmail: 'partner@fellesskap.example',
  /** A participant's report after the held gathering, with a summary shared with the network without name. */
  sharedReport: {
    email: 'laerer@fellesskap.example',
    report: 'Jeg prøvde pedagogisk analyse med teamet på trinnet. Vi brukte mer tid på å beskrive situasjonen enn vi trodde.',
    summary: 'Vi prøvde pedagogisk analyse i teamet. Det hjalp å beskrive situasjonen før vi snakket om tiltak, og PPT ga oss gode spørsmål underveis.',
  },
  /** Participants by the unit they are appointed from, with the leader who appoints them. */
  appointments: [
    { unit: 'Solsikken barnehage', leaderEmail: 'styrer@fellesskap.example', emails: ['ansatt@fellesskap.example', 'ansatt2@fellesskap.example'] },
    { unit: 'Nordbyen skole', leaderEmail: 'rektor@fellesskap.example', emails: ['laerer@fellesskap.example'] },
  ],
  held: { id: '00000000-0000-4000-8000-00000000e202', title: 'Samling 1: Pedagogisk analyse', daysAgo: 14, time: '09:00', place: 'Rådhuset, møterom 2', present: ['ansatt@fellesskap.example', 'laerer@fellesskap.example'] },
  planned: { id: '00000000-0000-4000-8000-00000000e203', title: 'Samling 2: Det inkluderende fellesskapet', daysAhead: 21, time: '09:00', place: 'Nord universitet, Levanger', moduleSlug: 'inkluderende-fellesskap' },
} as const;

const AGENDA_HELD = `## Program

- 09.00 Velkommen og runde rundt bordet
- 09.30 Pedagogisk analyse: fra problem til tiltak (Nord universitet)
- 11.00 Gruppearbeid på tvers av barnehage, skole og PPT
- 12.00 Lunsj og oppsummering`;

const AGENDA_PLANNED = `## Program

- 09.00 Velkommen
- 09.15 Teammøte fra modulen om det inkluderende fellesskapet, i blandede grupper
- 10.30 Hva tar vi med oss tilbake til barnehagen, skolen og PPT?`;

/** Idempotent: creates what is missing of the demo network through the service, as its people would. */
export async function seedDemoNetwork(logger: Logger, now = new Date()): Promise<boolean> {
  const demo = DEMO_NETWORK;
  const unitIds = await findUnitIdsByName([...demo.units]);
  const [admin, coordinator] = await Promise.all([sessionUserByEmail(demo.adminEmail, now), sessionUserByEmail(demo.coordinatorEmail, now)]);
  if (!admin || !coordinator || demo.units.some((u) => !unitIds.get(u))) return false;
  const networks = new NetworkService(new LearningService(new ProgressService(logger), logger, ''), logger);
  const day = (offset: number) => isoDate(new Date(todayDateOnly(now).getTime() + offset * 86_400_000));
  let changed = false;

  if (!(await NetworkModel.exists({ _id: { $eq: demo.id } }))) {
    const units = demo.units.map((u) => unitIds.get(u)!);
    await networks.create(admin, { name: demo.name, themes: demo.themes, from: day(-60), to: day(180), units, coordinators: demo.coordinatorEmail }, now, demo.id);
    for (const a of demo.appointments) {
      const leader = await sessionUserByEmail(a.leaderEmail, now);
      const people = await Promise.all(a.emails.map((e) => sessionUserByEmail(e, now)));
      if (leader) await networks.setParticipants(leader, unitIds.get(a.unit)!, demo.id, people.flatMap((p) => (p ? [p.id] : [])), now);
    }
    changed = true;
  }

  const heldOn = new Date(todayDateOnly(now).getTime() - demo.held.daysAgo * 86_400_000);
  if (!(await GatheringModel.exists({ _id: { $eq: demo.held.id } }))) {
    const plannedAt = new Date(heldOn.getTime() - 30 * 86_400_000);
    await networks.planGathering(coordinator, demo.id, { title: demo.held.title, date: isoDate(heldOn), time: demo.held.time, place: demo.held.place, agenda: AGENDA_HELD, activity: '' }, plannedAt, demo.held.id);
    changed = true;
  }
  const held = await GatheringModel.findById(demo.held.id, { attendance: 1 }).lean<{ attendance: unknown }>();
  if (held && !held.attendance) {
    const present = await Promise.all(demo.held.present.map((e) => sessionUserByEmail(e, now)));
    // Recorded the afternoon of the gathering.
    await networks.recordAttendance(coordinator, demo.id, demo.held.id, present.flatMap((p) => (p ? [p.id] : [])), new Date(heldOn.getTime() + 14 * 3_600_000));
    changed = true;
  }

  const partner = await sessionUserByEmail(demo.partnerEmail, now);
  const stored = await NetworkModel.findById(demo.id, { partners: 1 }).lean<{ partners?: Array<{ id: string }> }>();
  if (partner && stored && !(stored.partners ?? []).some((p) => p.id === partner.id)) {
    await networks.invitePartner(admin, demo.id, { email: demo.partnerEmail, name: '' });
    changed = true;
  }
  const writer = await sessionUserByEmail(demo.sharedReport.email, now);
  if (writer && !(await NetworkReportModel.exists({ _id: { $eq: `${demo.held.id}:${writer.id}` } }))) {
    // Written the day after the gathering.
    await networks.saveReport(writer, demo.id, demo.held.id, { report: demo.sharedReport.report, summary: demo.sharedReport.summary, share: true }, new Date(heldOn.getTime() + 33 * 3_600_000));
    changed = true;
  }

  if (!(await GatheringModel.exists({ _id: { $eq: demo.planned.id } }))) {
    const activity = (await networks.activities()).find((a) => a.value.startsWith(`${demo.planned.moduleSlug}/`));
    await networks.planGathering(
      coordinator,
      demo.id,
      { title: demo.planned.title, date: day(demo.planned.daysAhead), time: demo.planned.time, place: demo.planned.place, agenda: AGENDA_PLANNED, activity: activity?.value ?? '' },
      now,
      demo.planned.id,
    );
    changed = true;
  }
  return changed;
}
