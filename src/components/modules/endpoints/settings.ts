import { z } from 'zod';
import { endpoint, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { getSettings, listModulesForAuthoring, saveSettings } from '../authoring.service.js';
import { problemViews } from '../authoring.view.js';
import { AUDIENCES, LANGUAGES, THEMES } from '../format.js';
import { settingsFieldOf, settingsFormSchema, type SettingsForm } from '../settings-form.js';
import { BASE, author, flag, publisher, revisionField, slugParams } from './shared.js';

/** A module's settings (its front matter) and introduction, with each problem next to its field. */

async function settingsPage(
  context: Pick<EndpointContext<unknown, unknown, unknown>, 't'>,
  slug: string,
  extra: { form?: SettingsForm; conflict?: boolean; saved?: boolean } = {},
): Promise<PageReply> {
  const settings = await getSettings(slug);
  const raw = settings.problems.filter((p) => p.file === 'module.md');
  const problems = problemViews(slug, raw);
  // Each problem is shown next to the field it is about (or above the form when it has none).
  const byField: Record<string, typeof problems> = {};
  raw.forEach((p, i) => {
    const fieldName = settingsFieldOf(typeof p.params.field === 'string' ? p.params.field : undefined, p.line, settings.moduleMd);
    (byField[fieldName] ??= []).push(problems[i]!);
  });
  const others = (await listModulesForAuthoring()).filter((m) => m.slug !== slug);
  return {
    view: 'pages/authoring/settings',
    model: {
      title: context.t('authoring:settings.title', { title: settings.module.title }),
      slug,
      moduleTitle: settings.module.title,
      form: extra.form ?? settings.form,
      version: settings.version,
      revision: settings.module.revision,
      problemsByField: byField,
      problemCount: problems.length,
      conflict: extra.conflict ?? false,
      saved: extra.saved ?? false,
      options: { audiences: AUDIENCES, themes: THEMES, languages: LANGUAGES, measures: [1, 2, 3, 4, 5, 6, 7], modules: others.map((m) => ({ slug: m.slug, title: m.title })) },
    },
  };
}

export const settingsEndpoints = [
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/innstillinger`,
    summary: "The module's settings (front matter) and introduction",
    access: author,
    params: slugParams,
    query: z.object({ lagret: flag }),
    handle: (context) => settingsPage(context, context.params.slug, { saved: context.query.lagret }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/innstillinger`,
    summary: 'Saves the settings; problems are shown next to the fields',
    access: author,
    params: slugParams,
    body: settingsFormSchema.extend({ revision: revisionField }),
    async handle(context) {
      await saveSettings({ slug: context.params.slug, revision: context.body.revision, form: context.body, by: publisher(context) });
      return { redirect: `${BASE}/${context.params.slug}/innstillinger?lagret=1` };
    },
    // Someone else saved first: keep what this author typed, and let them save again knowingly.
    conflict: (context) => settingsPage(context, context.params.slug, { form: context.body, conflict: true }),
  }),
];
