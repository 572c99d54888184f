import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';
import { attendanceSchema, personRefSchema } from '../../db/schemas.js';

/**
 * Learning networks ("Laget rundt barna"): units of any type — kindergartens, schools, PPT, child
 * welfare, health services — who build competence together over a period, with gatherings
 * (samlinger) planned by the network's coordinators. Networks are few (tens per municipality) and
 * read whole, so a network keeps its coordinators and participants in its own document, and every
 * change to them is one single-document update. Gatherings are their own documents (a handful per
 * network and term), found by `networkId`. "Mine kurs" finds a participant's networks by
 * `participants.personId` (a scan on the embedded database, but of tens of documents) and what they
 * missed by `_id` = user id.
 */


const participantSchema = new Schema(
  {
    personId: { type: String, required: true },
    name: { type: String, required: true },
    /** The member unit the person was appointed from (by a leader of that unit). */
    unitId: { type: String, required: true },
    appointedBy: { type: personRefSchema, required: true },
    appointedAt: { type: Date, required: true },
  },
  { _id: false },
);

const networkSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    themes: { type: [String], default: [] },
    startDate: { type: Date, required: true },
    endDate: { type: Date, default: null },
    unitIds: { type: [String], default: [] },
    coordinators: { type: [personRefSchema], default: [] },
    participants: { type: [participantSchema], default: [] },
    /** open; closed (its work is done, kept as history); merged (its work goes on in `mergedInto`). */
    status: { type: String, enum: ['open', 'closed', 'merged'], default: 'open' },
    closedAt: { type: Date, default: null },
    mergedInto: { type: String, default: null },
    /** Networks merged into this one, for the history on its page. */
    mergedFrom: { type: [String], default: [] },
    /** External partners (a university teacher) invited by the municipality: they see the gatherings and shared summaries only. */
    partners: { type: [personRefSchema], default: [] },
    /** Counts changes: a write lands only on the revision it read (see NetworkService.change). */
    revision: { type: Number, default: 0 },
    createdBy: { type: personRefSchema, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
networkSchema.index({ status: 1 });
networkSchema.index({ unitIds: 1 });
networkSchema.index({ 'participants.personId': 1 });
networkSchema.index({ 'coordinators.id': 1 });
networkSchema.index({ 'partners.id': 1 });

/** The module activity a gathering takes as its programme, as the module said it when planned. */
const programmeSchema = new Schema(
  {
    moduleSlug: { type: String, required: true },
    moduleTitle: { type: String, required: true },
    lessonSlug: { type: String, required: true },
    activityId: { type: String, required: true },
    title: { type: String, required: true },
  },
  { _id: false },
);

const gatheringSchema = new Schema(
  {
    _id: { type: String, required: true },
    networkId: { type: String, required: true },
    /** The network it was planned in, when a merge moved it to another. */
    originNetworkId: { type: String, default: null },
    title: { type: String, required: true },
    startsAt: { type: Date, required: true },
    place: { type: String, required: true },
    /** Markdown, rendered with the app's one markdown-it instance (raw HTML off). */
    agenda: { type: String, default: '' },
    programme: { type: programmeSchema, default: null },
    plannedBy: { type: personRefSchema, required: true },
    createdAt: { type: Date, required: true },
    /** What the coordinator shares afterwards (Markdown): what was gone through, for everyone in the network. */
    summary: { type: String, default: '' },
    summaryBy: { type: personRefSchema, default: null },
    summaryAt: { type: Date, default: null },
    /** Something for the participants to try out before the next gathering (Markdown), shared with the summary. */
    task: { type: String, default: '' },
    /**
     * Who completed the programme's module through this gathering's attendance (the recording that
     * completed it), for the reports' "modules completed through gatherings"; a tick taken back
     * takes the person out again.
     */
    completedBy: { type: [String], default: [] },
    /** Null until a coordinator records attendance; then who came out of the participants then. */
    attendance: { type: attendanceSchema, default: null },
  },
  { versionKey: false },
);
gatheringSchema.index({ networkId: 1, startsAt: -1 });

/** One document per participant (`_id` = user id): `missed.<gatheringId>`, a gathering they were recorded absent from. */
const participantNoticeSchema = new Schema(
  {
    _id: { type: String, required: true },
    missed: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

/**
 * A participant's report after a gathering's task (`_id` = `<gatheringId>:<personId>`): a private text
 * only they read, and a short summary they may choose to share with the network, shown without name
 * or unit once `shared` is true.
 */
const reportSchema = new Schema(
  {
    _id: { type: String, required: true },
    gatheringId: { type: String, required: true },
    personId: { type: String, required: true },
    report: { type: String, default: '' },
    summary: { type: String, default: '' },
    shared: { type: Boolean, default: false },
    sharedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
reportSchema.index({ gatheringId: 1, shared: 1 });
reportSchema.index({ personId: 1 });

export interface MissedGathering {
  networkId: string;
  networkName: string;
  title: string;
  startsAt: Date;
  /** The programme's module and activity, or '' for a gathering without one. */
  moduleSlug: string;
  activityId: string;
}

export const NetworkModel = mongoose.model('Network', networkSchema, 'networks');
export const GatheringModel = mongoose.model('NetworkGathering', gatheringSchema, 'network_gatherings');
export const NetworkReportModel = mongoose.model('NetworkReport', reportSchema, 'network_reports');
export const ParticipantNoticeModel = mongoose.model('NetworkParticipantNotice', participantNoticeSchema, 'network_participant_notices');

/** The notices collection for the driver's atomic operators, typed with its string `_id`s. */
export const participantNoticeCollection = rawCollection(ParticipantNoticeModel, participantNoticeSchema);
