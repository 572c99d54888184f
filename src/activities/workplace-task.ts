import { z } from 'zod';
import { action, baseSettingsSchema, defineActivity, formText, isoDate, text, timeOf } from './types.js';

/** Something to try in practice with the children, then report back on. */
export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200),
    instructions: text(4000),
    reportPrompt: text(300),
  })
  .strict();
export type WorkplaceTaskSettings = z.infer<typeof settingsSchema>;

export const NOTE_MAX_LENGTH = 5000;

export const stateSchema = z
  .object({ tried: z.boolean(), note: z.string().max(NOTE_MAX_LENGTH), reportedAt: isoDate.nullable() })
  .strict();
export type WorkplaceTaskState = z.infer<typeof stateSchema>;

export const workplaceTask = defineActivity<WorkplaceTaskSettings, WorkplaceTaskState>({
  kind: 'workplace-task',
  settingsSchema,
  stateSchema,
  partial: 'activities/workplace-task',
  completion: 'custom',
  authored: true,
  initialState: () => ({ tried: false, note: '', reportedAt: null }),
  actions: {
    report: action<WorkplaceTaskSettings, WorkplaceTaskState, { tried: boolean; note: string }>(
      z.object({ tried: z.boolean(), note: z.string().max(NOTE_MAX_LENGTH).default('') }).strict(),
      (_settings, _state, input, now) => ({ tried: input.tried, note: input.note.replace(/\r\n/g, '\n'), reportedAt: now.toISOString() }),
      (_settings, input, now) => ({
        set: { tried: input.tried, note: input.note.replace(/\r\n/g, '\n'), reportedAt: now.toISOString() },
        onlyIfNotNewer: 'reportedAt',
      }),
    ),
  },
  // Reporting "not yet" is recorded, but only having tried it completes the task.
  isComplete: (_settings, state) => state.reportedAt !== null && state.tried,
  completingAction: () => ({ action: 'report', input: { tried: true, note: '' } }),
  publicSettings: (settings, ctx) => ({
    title: settings.title,
    instructionsHtml: ctx.markdown(settings.instructions),
    reportPrompt: settings.reportPrompt,
  }),
  learnerAction: 'report',
  parseForm: (body) => {
    const note = formText(body.note).replace(/\r\n/g, '\n');
    const raw = body.tried;
    const tried = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
    const errors: Record<string, string> = {};
    if (tried === undefined) errors.tried = 'learning:errors.triedRequired';
    if (note.length > NOTE_MAX_LENGTH) errors.note = 'learning:errors.noteTooLong';
    // `reportedAt` only marks the typed answer as given, so the page shows the chosen radio button again.
    return { input: { tried: tried ?? false, note }, typed: { tried: tried ?? false, note, reportedAt: tried === undefined ? null : 'typed' }, errors };
  },
  // "Yes" is the first radio button of the pair, where a message about the choice belongs.
  fieldIds: { tried: 'tried-yes', note: 'note' },
  lastTouchedAt: (state) => timeOf(state.reportedAt),
  // A report is logged even when "not yet" and without a note: that too is what the person said.
  journalEntry: (settings, state) =>
    state.reportedAt ? { label: 'learning:log.workplaceTask', prompt: settings.reportPrompt, text: state.note, tried: state.tried, savedAt: timeOf(state.reportedAt) ?? null } : null,
});
