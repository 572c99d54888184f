import { z } from 'zod';
import { action, baseSettingsSchema, defineActivity, isoDate, text, timeOf } from './types.js';

/** A guide for the leader to run with the staff group; completed per person when attendance is recorded. */
const stepSchema = z
  .object({
    title: text(200),
    minutes: z.number().int().min(1).max(240),
    description: text(4000),
  })
  .strict();

export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200),
    purpose: text(2000),
    minutes: z.number().int().min(10).max(480),
    preparation: z.array(text(500)).max(30).default([]),
    steps: z.array(stepSchema).min(1).max(30),
    questions: z.array(text(500)).min(1).max(30),
    followUp: text(4000).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const total = value.steps.reduce((sum, step) => sum + step.minutes, 0);
    if (total > value.minutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['minutes'],
        message: `the steps take ${total} minutes, more than the session's ${value.minutes}`,
        params: { code: 'teamSession.stepsTooLong', total, minutes: value.minutes },
      });
    }
  });
export type TeamSessionSettings = z.infer<typeof settingsSchema>;

export const stateSchema = z
  .object({ attended: z.boolean(), recordedAt: isoDate.nullable(), recordedBy: z.string().nullable() })
  .strict();
export type TeamSessionState = z.infer<typeof stateSchema>;

export const teamSession = defineActivity<TeamSessionSettings, TeamSessionState>({
  kind: 'team-session',
  settingsSchema,
  stateSchema,
  partial: 'activities/team-session',
  completion: 'custom',
  authored: true,
  initialState: () => ({ attended: false, recordedAt: null, recordedBy: null }),
  actions: {
    // Leader side: the leader records (or corrects) whether this person took part.
    recordAttendance: action<TeamSessionSettings, TeamSessionState, { attended: boolean; recordedBy: string }>(
      z.object({ attended: z.boolean(), recordedBy: z.string().min(1).max(100) }).strict(),
      (_settings, _state, input, now) => ({ attended: input.attended, recordedAt: now.toISOString(), recordedBy: input.recordedBy }),
      (_settings, input, now) => ({
        set: { attended: input.attended, recordedAt: now.toISOString(), recordedBy: input.recordedBy },
        onlyIfNotNewer: 'recordedAt',
      }),
    ),
  },
  isComplete: (_settings, state) => state.attended,
  completingAction: () => ({ action: 'recordAttendance', input: { attended: true, recordedBy: 'Demodata' } }),
  publicSettings: (settings, ctx) => ({
    title: settings.title,
    purposeHtml: ctx.markdown(settings.purpose),
    minutes: settings.minutes,
    preparation: settings.preparation,
    steps: settings.steps.map((step) => ({ title: step.title, minutes: step.minutes, descriptionHtml: ctx.markdown(step.description) })),
    questions: settings.questions,
    followUpHtml: settings.followUp ? ctx.markdown(settings.followUp) : null,
  }),
  // No learnerAction: the leader records attendance for each person, from the team-session pages.
  recordedByLeader: {
    attended: (state) => state.attended,
    record: (attended, recordedBy) => ({ action: 'recordAttendance', input: { attended, recordedBy } }),
  },
  lastTouchedAt: (state) => timeOf(state.recordedAt),
  // Nothing for the learner to do on the page: the list says the leader records it.
  listedAs: { key: 'learning:lesson.remainingTeamSession' },
});
