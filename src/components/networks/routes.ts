import { z } from 'zod';
import type { FieldErrors } from '../../lib/errors.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { longDate, longDateTime } from '../../lib/oslo-time.js';
import { addNavEntry } from '../../web/navigation.js';
import { endpoint, endpointRouter, formList, formText, pathId, permission, signedInUser, type EndpointContext, type PageReply } from '../../web/endpoints.js';
import { ledUnit } from '../assignments/index.js';
import { addLeaderUnitLink, leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import { IdentifyingDetailsError, type GatheringInput, type NetworkInput, type NetworkService, type PartnerInput, type ReportInput } from './networks.service.js';
import type { Mailer } from '../mail/index.js';
import { LANGUAGES, type Language } from '../../web/i18n.js';
import type { Finding } from './identifying.js';
import { anonymiseNetworks, networkDataOf } from './privacy.js';

const manage = permission('networks:manage');
const mailLanguage = (lang: string): Language => LANGUAGES.find((l) => l === lang) ?? 'nb';
// Network pages are open to everyone signed in as far as the route goes; the service asks the policy
// about this network (network:view, network:coordinate), because who may see it is in the network.
const signedIn = permission('learning:take');
const lead = permission('unit:lead', (params) => ({ unitId: params.unitId }));

// Ids as any text: the service answers 404 for one that is not a network's or gathering's id.
const networkParams = z.object({ networkId: z.string() });
const gatheringParams = z.object({ networkId: z.string(), gatheringId: z.string() });
const unitParams = z.object({ unitId: pathId });
const unitNetworkParams = z.object({ unitId: pathId, networkId: z.string() });

const networkForm = z.object({ name: formText(200), themes: formText(1000), from: formText(40), to: formText(40), units: formList(500), coordinators: formText(2000) });
const mergeForm = z.object({ into: formText(64) });
const gatheringForm = z.object({ title: formText(200), date: formText(40), time: formText(10), place: formText(300), agenda: formText(12_000), activity: formText(300) });
const attendanceForm = z.object({ present: formList(2000) });
const summaryForm = z.object({ summary: formText(12_000), task: formText(12_000) });
const participantsForm = z.object({ participants: formList(2000) });
const reportForm = z.object({ report: formText(6_000), summary: formText(2_000), share: formText(10) });
const partnerForm = z.object({ email: formText(320), name: formText(200) });
const removePartnerForm = z.object({ personId: formText(64) });

const emptyNetwork: NetworkInput = { name: '', themes: '', from: '', to: '', units: [], coordinators: '' };

/** Learning networks: the municipality's administration, the network and gathering pages, and the leaders' appointments. */
export function networkRoutes({ networks, mailer }: { networks: NetworkService; mailer: Mailer }) {
  registerPersonalDataSource('networks', networkDataOf);
  registerAnonymiser('networks', anonymiseNetworks);
  addNavEntry({ href: '/nettverk', label: 'networks:nav', visibleTo: 'signedIn' });
  addLeaderUnitLink({ label: 'networks:unit.link', href: (unitId) => `/leder/${unitId}/nettverk` });

  /** The administrator's list and the form to create a network (empty, or as typed with messages). */
  async function adminListPage(context: EndpointContext<unknown, unknown, unknown>, values: NetworkInput = emptyNetwork, errors: FieldErrors = {}): Promise<PageReply> {
    const user = signedInUser(context);
    const [list, units] = await Promise.all([networks.list(user), networks.unitOptions()]);
    return {
      view: 'pages/networks/admin-list',
      model: {
        title: context.t('networks:admin.title'),
        networks: list.map((n) => ({ ...n, period: period(n.startDate, n.endDate, context.lang) })),
        units,
        values,
        errors,
      },
    };
  }

  /** One network for the administrator: edit, close and merge. */
  async function adminNetworkPage(context: EndpointContext<{ networkId: string }, unknown, unknown>, typed?: NetworkInput, errors: FieldErrors = {}, into = '', partner: PartnerInput = { email: '', name: '' }): Promise<PageReply> {
    const user = signedInUser(context);
    const [page, units] = await Promise.all([networks.forAdmin(user, context.params.networkId), networks.unitOptions()]);
    // Units already in the network stay choosable if they were closed since.
    const choices = [...units, ...page.network.units.filter((u) => !units.some((c) => c.id === u.id))];
    return {
      view: 'pages/networks/admin-network',
      model: {
        title: context.t('networks:admin.editTitle', { name: page.network.name }),
        network: page.network,
        period: period(page.network.startDate, page.network.endDate, context.lang),
        values: typed ?? page.values,
        units: choices,
        mergeTargets: page.mergeTargets,
        partners: page.partners,
        partner,
        into,
        errors,
      },
    };
  }

  /** The network's page, with the planning form for its coordinators (empty, or as typed with messages). */
  async function networkPage(context: EndpointContext<{ networkId: string }, unknown, unknown>, values?: GatheringInput, errors: FieldErrors = {}): Promise<PageReply> {
    const user = signedInUser(context);
    const page = await networks.networkPage(user, context.params.networkId);
    if (page.as === 'partner') {
      return {
        view: 'pages/networks/partner-network',
        model: {
          title: context.t('networks:network.title', { name: page.network.name }),
          network: page.network,
          period: period(page.network.startDate, page.network.endDate, context.lang),
          gatherings: page.gatherings.map((g) => ({ ...g, when: longDateTime(g.startsAt, context.lang) })),
        },
      };
    }
    const shown = (g: (typeof page.upcoming)[number]) => ({ ...g, when: longDateTime(g.startsAt, context.lang), presentCount: g.attendance?.present.length ?? 0, rosterCount: g.attendance?.roster.length ?? 0 });
    return {
      view: 'pages/networks/network',
      model: {
        title: context.t('networks:network.title', { name: page.network.name }),
        ...page,
        upcoming: page.upcoming.map(shown),
        past: page.past.map(shown),
        report: page.report ? { ...page.report, gatherings: page.report.gatherings.map((g) => ({ ...g, date: longDate(g.startsAt, context.lang) })) } : null,
        period: period(page.network.startDate, page.network.endDate, context.lang),
        values: values ?? { title: '', date: '', time: '', place: '', agenda: '', activity: '' },
        today: isoDate(todayDateOnly()),
        errors,
      },
    };
  }

  /** One gathering; after a refused attendance list, with its message and the ticks as sent. */
  async function gatheringPage(
    context: EndpointContext<{ networkId: string; gatheringId: string }, unknown, unknown>,
    errors: FieldErrors = {},
    ticked?: string[],
    typed?: { summary: string; task: string },
    report?: { values: ReportInput; findings: Finding[] },
  ): Promise<PageReply> {
    const user = signedInUser(context);
    const { networkId, gatheringId } = context.params;
    const page = await networks.gatheringPage(user, networkId, gatheringId);
    if (page.as === 'partner') {
      return {
        view: 'pages/networks/partner-gathering',
        model: {
          title: context.t('networks:gathering.title', { title: page.gathering.title }),
          network: page.network,
          gathering: page.gathering,
          when: longDateTime(page.gathering.startsAt, context.lang),
          shared: page.shared.map((x) => ({ ...x, date: longDate(x.sharedAt, context.lang) })),
        },
      };
    }
    const participants = ticked ? page.participants.map((p) => ({ ...p, present: ticked.includes(p.id) })) : page.participants;
    return {
      view: 'pages/networks/gathering',
      model: {
        title: context.t('networks:gathering.title', { title: page.gathering.title }),
        ...page,
        participants,
        when: longDateTime(page.gathering.startsAt, context.lang),
        recordedAt: page.gathering.attendance ? longDateTime(page.gathering.attendance.recordedAt, context.lang) : null,
        summaryValue: typed?.summary ?? page.gathering.summary,
        taskValue: typed?.task ?? page.gathering.task,
        summaryAt: page.gathering.summaryAt ? longDateTime(page.gathering.summaryAt, context.lang) : null,
        shared: page.shared.map((x) => ({ ...x, date: longDate(x.sharedAt, context.lang) })),
        reportValues: report?.values ?? page.myReport,
        findings: (report?.findings ?? []).map((f) => context.t(`networks:identifying.${f.kind}`, { text: f.text })),
        errors,
      },
    };
  }

  /** A unit's networks for its leader: who takes part in which, and the forms to appoint them. */
  async function unitPage(context: EndpointContext<{ unitId: string }, unknown, unknown>, errors: FieldErrors = {}, typed?: { networkId: string; participants: string[] }): Promise<PageReply> {
    const { unitId } = context.params;
    const user = signedInUser(context);
    const [unit, page] = await Promise.all([ledUnit(user, unitId), networks.forUnit(user, unitId)]);
    const list = page.networks.map((n) => ({
      ...n,
      period: period(n.startDate, n.endDate, context.lang),
      staff: typed && typed.networkId === n.id ? n.staff.map((s) => ({ ...s, participant: typed.participants.includes(s.id) })) : n.staff,
    }));
    return {
      view: 'pages/networks/unit',
      model: { title: context.t('networks:unit.title', { unit: unit.name }), unit, networks: list, byPerson: page.byPerson, errors, extraLinks: leaderUnitLinks(unitId) },
    };
  }

  return endpointRouter([
    // GET /admin/nettverk — every network, and the form to create one.
    endpoint({
      method: 'get',
      path: '/admin/nettverk',
      summary: 'Every learning network, and the form to create one',
      access: manage,
      handle: (context) => adminListPage(context),
    }),
    // POST /admin/nettverk — creates a network of units with its coordinators.
    endpoint({
      method: 'post',
      path: '/admin/nettverk',
      summary: 'Creates a learning network of units and names its coordinators',
      access: manage,
      body: networkForm,
      async handle(context) {
        const id = await networks.create(signedInUser(context), context.body);
        return { redirect: `/admin/nettverk/${id}`, flash: { type: 'success', key: 'networks:flash.created' } };
      },
      invalid: (context, errors) => adminListPage(context, context.body, errors),
    }),
    // GET /admin/nettverk/:networkId — one network for the administrator: edit, close, merge.
    endpoint({
      method: 'get',
      path: '/admin/nettverk/:networkId',
      summary: 'One learning network for the administrator: edit, close and merge',
      access: manage,
      params: networkParams,
      handle: (context) => adminNetworkPage(context),
    }),
    // POST /admin/nettverk/:networkId — saves the network's name, themes, period, units and coordinators.
    endpoint({
      method: 'post',
      path: '/admin/nettverk/:networkId',
      summary: 'Saves a learning network’s name, themes, period, units and coordinators',
      access: manage,
      params: networkParams,
      body: networkForm,
      async handle(context) {
        await networks.update(signedInUser(context), context.params.networkId, context.body);
        return { redirect: `/admin/nettverk/${context.params.networkId}`, flash: { type: 'success', key: 'networks:flash.saved' } };
      },
      invalid: (context, errors) => adminNetworkPage(context, context.body, errors),
    }),
    // POST /admin/nettverk/:networkId/steng — closes the network (kept as history).
    endpoint({
      method: 'post',
      path: '/admin/nettverk/:networkId/steng',
      summary: 'Closes a learning network; it stays with its gatherings as history',
      access: manage,
      params: networkParams,
      async handle(context) {
        await networks.close(signedInUser(context), context.params.networkId);
        return { redirect: `/admin/nettverk/${context.params.networkId}`, flash: { type: 'success', key: 'networks:flash.closed' } };
      },
      invalid: (context, errors) => adminNetworkPage(context, undefined, errors),
    }),
    // POST /admin/nettverk/:networkId/sla-sammen — merges the network into another one.
    endpoint({
      method: 'post',
      path: '/admin/nettverk/:networkId/sla-sammen',
      summary: 'Merges a learning network into another; the merged one is kept, marked as merged',
      access: manage,
      params: networkParams,
      body: mergeForm,
      async handle(context) {
        await networks.merge(signedInUser(context), context.params.networkId, context.body.into);
        return { redirect: `/admin/nettverk/${context.body.into}`, flash: { type: 'success', key: 'networks:flash.merged' } };
      },
      invalid: (context, errors) => adminNetworkPage(context, undefined, errors, context.body.into),
    }),
    // POST /admin/nettverk/:networkId/partnere — invites an external partner by e-mail; creates an invited account (and mails its activation link) for someone without one.
    endpoint({
      method: 'post',
      path: '/admin/nettverk/:networkId/partnere',
      summary: 'Invites an external partner to a learning network: they see its gatherings and shared summaries only',
      access: manage,
      params: networkParams,
      body: partnerForm,
      async handle(context) {
        const { created } = await networks.invitePartner(signedInUser(context), context.params.networkId, context.body, { mailer, lang: mailLanguage(context.lang) });
        return { redirect: `/admin/nettverk/${context.params.networkId}#partners-heading`, flash: { type: 'success', key: created ? 'networks:flash.partnerCreated' : 'networks:flash.partnerInvited' } };
      },
      invalid: (context, errors) => adminNetworkPage(context, undefined, errors, '', context.body),
    }),
    // POST /admin/nettverk/:networkId/partnere/fjern — takes an external partner's access away.
    endpoint({
      method: 'post',
      path: '/admin/nettverk/:networkId/partnere/fjern',
      summary: 'Takes an external partner’s access to a learning network away',
      access: manage,
      params: networkParams,
      body: removePartnerForm,
      async handle(context) {
        await networks.removePartner(signedInUser(context), context.params.networkId, context.body.personId);
        return { redirect: `/admin/nettverk/${context.params.networkId}#partners-heading`, flash: { type: 'success', key: 'networks:flash.partnerRemoved' } };
      },
    }),
    // GET /nettverk — the networks the person coordinates, takes part in, or has a unit in.
    endpoint({
      method: 'get',
      path: '/nettverk',
      summary: 'The learning networks the person coordinates, takes part in or leads a unit in',
      access: signedIn,
      async handle(context) {
        const list = await networks.mine(signedInUser(context));
        return { view: 'pages/networks/mine', model: { title: context.t('networks:mine.title'), networks: list } };
      },
    }),
    // GET /nettverk/:networkId — the network: units, participants, gatherings; coordinators plan here.
    endpoint({
      method: 'get',
      path: '/nettverk/:networkId',
      summary: 'A learning network’s units, participants and gatherings; its coordinators plan gatherings here',
      access: signedIn,
      params: networkParams,
      handle: (context) => networkPage(context),
    }),
    // POST /nettverk/:networkId/samlinger — a coordinator plans a gathering.
    endpoint({
      method: 'post',
      path: '/nettverk/:networkId/samlinger',
      summary: 'A coordinator plans a gathering of the network',
      access: signedIn,
      params: networkParams,
      body: gatheringForm,
      async handle(context) {
        const { networkId } = context.params;
        const id = await networks.planGathering(signedInUser(context), networkId, context.body);
        return { redirect: `/nettverk/${networkId}/samlinger/${id}`, flash: { type: 'success', key: 'networks:flash.planned' } };
      },
      invalid: (context, errors) => networkPage(context, context.body, errors),
    }),
    // GET /nettverk/:networkId/samlinger/:gatheringId — a gathering: time, place, agenda, programme; attendance for the coordinator.
    endpoint({
      method: 'get',
      path: '/nettverk/:networkId/samlinger/:gatheringId',
      summary: 'A gathering’s time, place, agenda and programme; the attendance list for its coordinators',
      access: signedIn,
      params: gatheringParams,
      handle: (context) => gatheringPage(context),
    }),
    // POST /nettverk/:networkId/samlinger/:gatheringId/oppmote — a coordinator records (or corrects) who came.
    endpoint({
      method: 'post',
      path: '/nettverk/:networkId/samlinger/:gatheringId/oppmote',
      summary: 'A coordinator records (or corrects) who came to a gathering',
      access: signedIn,
      params: gatheringParams,
      body: attendanceForm,
      async handle(context) {
        const { networkId, gatheringId } = context.params;
        const result = await networks.recordAttendance(signedInUser(context), networkId, gatheringId, context.body.present);
        return {
          redirect: `/nettverk/${networkId}/samlinger/${gatheringId}#attendance-heading`,
          flash: { type: result.failed ? 'info' : 'success', key: result.failed ? 'networks:flash.attendanceSomeFailed' : 'networks:flash.attendanceSaved', params: { ...result } },
        };
      },
      invalid: (context, errors) => gatheringPage(context, errors, context.body.present),
    }),
    // POST /nettverk/:networkId/samlinger/:gatheringId/oppsummering — a coordinator shares what the gathering went through and a task until the next.
    endpoint({
      method: 'post',
      path: '/nettverk/:networkId/samlinger/:gatheringId/oppsummering',
      summary: 'A coordinator shares (or corrects) a summary of a gathering and a task until the next one',
      access: signedIn,
      params: gatheringParams,
      body: summaryForm,
      async handle(context) {
        const { networkId, gatheringId } = context.params;
        await networks.saveSummary(signedInUser(context), networkId, gatheringId, context.body);
        return { redirect: `/nettverk/${networkId}/samlinger/${gatheringId}#summary-heading`, flash: { type: 'success', key: 'networks:flash.summarySaved' } };
      },
      invalid: (context, errors) => gatheringPage(context, errors, undefined, context.body),
    }),
    // POST /nettverk/:networkId/samlinger/:gatheringId/rapport — a participant's private report, and a summary shared only if they choose.
    endpoint({
      method: 'post',
      path: '/nettverk/:networkId/samlinger/:gatheringId/rapport',
      summary: 'A participant saves their private report after a gathering and may share a short anonymous summary with the network',
      access: signedIn,
      params: gatheringParams,
      body: reportForm,
      async handle(context) {
        const { networkId, gatheringId } = context.params;
        const values: ReportInput = { report: context.body.report, summary: context.body.summary, share: context.body.share === 'yes' };
        try {
          const result = await networks.saveReport(signedInUser(context), networkId, gatheringId, values);
          return { redirect: `/nettverk/${networkId}/samlinger/${gatheringId}#report-heading`, flash: { type: 'success', key: result.shared ? 'networks:flash.reportShared' : 'networks:flash.reportSaved' } };
        } catch (err) {
          if (!(err instanceof IdentifyingDetailsError)) throw err;
          return { ...(await gatheringPage(context, err.fields, undefined, undefined, { values, findings: err.findings })), status: 400 };
        }
      },
      invalid: (context, errors) =>
        gatheringPage(context, errors, undefined, undefined, { values: { report: context.body.report, summary: context.body.summary, share: context.body.share === 'yes' }, findings: [] }),
    }),
    // GET /leder/:unitId/nettverk — the unit's networks: who takes part in which, and the forms to appoint them.
    endpoint({
      method: 'get',
      path: '/leder/:unitId/nettverk',
      summary: 'The unit’s learning networks for its leader: who takes part, and the forms to appoint participants',
      access: lead,
      params: unitParams,
      handle: (context) => unitPage(context),
    }),
    // POST /leder/:unitId/nettverk/:networkId/deltakere — the leader sets who takes part from the unit.
    endpoint({
      method: 'post',
      path: '/leder/:unitId/nettverk/:networkId/deltakere',
      summary: 'A leader sets who takes part in a network from the unit they lead',
      access: lead,
      params: unitNetworkParams,
      body: participantsForm,
      async handle(context) {
        const { unitId, networkId } = context.params;
        const result = await networks.setParticipants(signedInUser(context), unitId, networkId, context.body.participants);
        return { redirect: `/leder/${unitId}/nettverk#network-${networkId}`, flash: { type: 'success', key: 'networks:flash.participantsSaved', params: { ...result } } };
      },
      invalid: (context, errors) => unitPage(context, errors, { networkId: context.params.networkId, participants: context.body.participants }),
    }),
  ]);
}

/** "1. januar 2027 – 30. juni 2027", or from a date with no end. */
function period(from: Date, to: Date | null, lang: string): { from: string; to: string | null } {
  return { from: longDate(from, lang), to: to ? longDate(to, lang) : null };
}
