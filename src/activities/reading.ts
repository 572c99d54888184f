import { z } from 'zod';
import { action, baseSettingsSchema, defineActivity, isoDate, timeOf } from './types.js';

/**
 * The implicit activity of every lesson: the learner marks the lesson as read at the end. The
 * platform adds it (id `lesson:<lesson-slug>`); authors do not write it.
 */
export const settingsSchema = baseSettingsSchema.extend({ id: z.string().regex(/^lesson:[a-z0-9-]+$/) }).strict();
export type ReadingSettings = z.infer<typeof settingsSchema>;

export const stateSchema = z.object({ readAt: isoDate.nullable() }).strict();
export type ReadingState = z.infer<typeof stateSchema>;

export const reading = defineActivity<ReadingSettings, ReadingState>({
  kind: 'reading',
  settingsSchema,
  stateSchema,
  partial: 'activities/reading',
  completion: 'on-view',
  authored: false,
  initialState: () => ({ readAt: null }),
  actions: {
    // Marking twice keeps the first time: the record says when the lesson was first read.
    markRead: action<ReadingSettings, ReadingState, Record<string, never>>(z.object({}).strict(), (_settings, state, _input, now) => ({
      readAt: state.readAt ?? now.toISOString(),
    }), (_settings, _input, now) => ({ min: { readAt: now.toISOString() } })),
  },
  isComplete: (_settings, state) => state.readAt !== null,
  publicSettings: () => ({}),
  completingAction: () => ({ action: 'markRead', input: {} }),
  learnerAction: 'markRead',
  // It has no title: the list says where to mark the lesson as read.
  listedAs: { key: 'learning:lesson.remainingReading' },
  lastTouchedAt: (state) => timeOf(state.readAt),
});
