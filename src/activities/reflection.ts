import { z } from 'zod';
import { action, baseSettingsSchema, defineActivity, formText, isoDate, text, timeOf } from './types.js';

/** A prompt the learner answers in writing. Only the learner can ever read the answer. */
export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200).optional(),
    prompt: text(2000),
  })
  .strict();
export type ReflectionSettings = z.infer<typeof settingsSchema>;

export const REFLECTION_MAX_LENGTH = 10_000;

export const stateSchema = z.object({ text: z.string().max(REFLECTION_MAX_LENGTH), savedAt: isoDate.nullable() }).strict();
export type ReflectionState = z.infer<typeof stateSchema>;

export const reflection = defineActivity<ReflectionSettings, ReflectionState>({
  kind: 'reflection',
  settingsSchema,
  stateSchema,
  partial: 'activities/reflection',
  completion: 'custom',
  authored: true,
  initialState: () => ({ text: '', savedAt: null }),
  actions: {
    save: action<ReflectionSettings, ReflectionState, { text: string }>(
      z.object({ text: z.string().max(REFLECTION_MAX_LENGTH) }).strict(),
      (_settings, _state, input, now) => ({ text: input.text.replace(/\r\n/g, '\n'), savedAt: now.toISOString() }),
      (_settings, input, now) => ({ set: { text: input.text.replace(/\r\n/g, '\n'), savedAt: now.toISOString() }, onlyIfNotNewer: 'savedAt' }),
    ),
  },
  // Complete once something has been written; the text itself is never judged.
  isComplete: (_settings, state) => state.text.trim() !== '',
  completingAction: () => ({ action: 'save', input: { text: 'Jeg vil prøve å gi barna bedre tid til å svare, og spørre mer åpent.' } }),
  publicSettings: (settings, ctx) => ({ title: settings.title ?? null, promptHtml: ctx.markdown(settings.prompt) }),
  learnerAction: 'save',
  parseForm: (body) => {
    const value = formText(body.text).replace(/\r\n/g, '\n');
    const errors: Record<string, string> = value.length > REFLECTION_MAX_LENGTH ? { text: 'learning:errors.reflectionTooLong' } : {};
    return { input: { text: value }, typed: { text: value }, errors };
  },
  fieldIds: { text: 'text' },
  // The title is optional; an untitled reflection is listed by the heading its partial shows.
  listedAs: { key: 'activities:reflection.heading', untitledOnly: true },
  lastTouchedAt: (state) => timeOf(state.savedAt),
  // A draft that was emptied again is not in the log: there is nothing of the person's to show.
  journalEntry: (settings, state) =>
    state.text.trim() ? { label: 'learning:log.reflection', prompt: settings.prompt, text: state.text, tried: null, savedAt: timeOf(state.savedAt) ?? null } : null,
});
