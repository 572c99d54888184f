import { z } from 'zod';
import { VIDEO_EMBED_HOSTS } from '../web/security.js';
import { action, baseSettingsSchema, defineActivity, isoDate, text, timeOf, type FileReference } from './types.js';

/** True for an https URL on one of the allow-listed embed hosts (the same list the CSP allows). */
export function isAllowedEmbed(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && VIDEO_EMBED_HOSTS.includes(parsed.origin) && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

const file = z.string().trim().min(1).max(200);

export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200),
    src: file.optional(),
    embed: z.string().trim().max(500).optional(),
    // Captions and a transcript are required: WCAG 2.1 1.2.2 and 1.2.3.
    captions: file,
    transcript: file,
  })
  .strict()
  .superRefine((value, ctx) => {
    if (!value.src === !value.embed) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either src (a file in assets/) or embed (an allow-listed URL), not both', params: { code: 'video.srcOrEmbed' } });
    }
    if (value.embed !== undefined && !isAllowedEmbed(value.embed)) {
      ctx.addIssue({
        code: 'custom',
        path: ['embed'],
        message: `embed must be an https URL on ${VIDEO_EMBED_HOSTS.join(', ')}`,
        params: { code: 'video.embedHost', hosts: VIDEO_EMBED_HOSTS.join(', ') },
      });
    }
  });
export type VideoSettings = z.infer<typeof settingsSchema>;

export const stateSchema = z.object({ watchedAt: isoDate.nullable() }).strict();
export type VideoState = z.infer<typeof stateSchema>;

export const video = defineActivity<VideoSettings, VideoState>({
  kind: 'video',
  settingsSchema,
  stateSchema,
  partial: 'activities/video',
  completion: 'on-view',
  authored: true,
  initialState: () => ({ watchedAt: null }),
  actions: {
    markWatched: action<VideoSettings, VideoState, Record<string, never>>(z.object({}).strict(), (_settings, state, _input, now) => ({
      watchedAt: state.watchedAt ?? now.toISOString(),
    }), (_settings, _input, now) => ({ min: { watchedAt: now.toISOString() } })),
  },
  isComplete: (_settings, state) => state.watchedAt !== null,
  completingAction: () => ({ action: 'markWatched', input: {} }),
  learnerAction: 'markWatched',
  lastTouchedAt: (state) => timeOf(state.watchedAt),
  publicSettings: (settings, ctx) => ({
    title: settings.title,
    src: settings.src ? ctx.assetUrl(settings.src) : null,
    embed: settings.embed ?? null,
    captionsUrl: ctx.assetUrl(settings.captions) ?? null,
    transcriptHtml: ctx.markdown(ctx.readText(settings.transcript) ?? ''),
    language: ctx.language,
  }),
  files: (settings) => {
    const refs: FileReference[] = [
      { path: ['captions'], file: settings.captions, extensions: ['.vtt'] },
      { path: ['transcript'], file: settings.transcript, extensions: ['.md'] },
    ];
    if (settings.src) refs.push({ path: ['src'], file: settings.src, extensions: ['.mp4', '.webm'] });
    return refs;
  },
});
