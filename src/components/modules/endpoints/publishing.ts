import { z } from 'zod';
import { endpoint, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { ValidationError, type FieldErrors } from '../../../lib/errors.js';
import { getDraft, listVersions, publishDraft, statusOf, versionFiles } from '../authoring.service.js';
import { formatDate, problemViews, statusView } from '../authoring.view.js';
import { diffVersions } from '../version-diff.js';
import { BASE, author, publisher, revisionField, slugParams } from './shared.js';

/** Publishing a draft as a new version, the version history and what changed between two versions. */

interface PublishForm {
  kind: 'minor' | 'major';
  changeNote: string;
}

async function publishPage(context: Pick<EndpointContext<unknown, unknown, unknown>, 't'>, slug: string, extra: { form?: PublishForm; errors?: FieldErrors } = {}): Promise<PageReply> {
  const check = await getDraft(slug);
  const { module } = check;
  const latest = module.latestMajor != null ? { major: module.latestMajor, minor: module.latestMinor ?? 0 } : null;
  return {
    view: 'pages/authoring/publish',
    model: {
      title: context.t('authoring:publish.title', { title: module.title }),
      slug,
      moduleTitle: module.title,
      revision: module.revision,
      status: statusView(statusOf(module), latest ? `${latest.major}.${latest.minor}` : null),
      first: !latest,
      nextMinor: latest ? `${latest.major}.${latest.minor + 1}` : null,
      nextMajor: latest ? `${latest.major + 1}.0` : null,
      unchanged: !!latest && module.draftHash === module.publishedHash,
      problems: problemViews(slug, check.problems),
      form: extra.form ?? { kind: 'minor', changeNote: '' },
      errors: extra.errors ?? {},
    },
  };
}

const VERSION = /^\d{1,3}\.\d{1,3}$/;
const publishForm = z.object({ revision: revisionField, kind: z.enum(['minor', 'major']).default('minor'), changeNote: z.string().max(2000).default('') });

export const publishingEndpoints = [
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/publiser`,
    summary: 'Choose minor or major and write a change note',
    access: author,
    params: slugParams,
    handle: (context) => publishPage(context, context.params.slug),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/publiser`,
    summary: 'Publishes the draft as a new version',
    access: author,
    params: slugParams,
    body: publishForm,
    check: z.object({ changeNote: z.string().trim().min(3, 'authoring:publish.noteRequired') }),
    async handle(context) {
      const { revision, kind, changeNote } = context.body;
      const id = await publishDraft({ slug: context.params.slug, revision, kind, changeNote, by: publisher(context) });
      return { redirect: `${BASE}/${context.params.slug}/versjoner?publisert=${encodeURIComponent(id)}` };
    },
    invalid: (context, errors) => publishPage(context, context.params.slug, { form: { kind: context.body.kind, changeNote: context.body.changeNote }, errors }),
    conflict: (context, error) => publishPage(context, context.params.slug, { form: { kind: context.body.kind, changeNote: context.body.changeNote }, errors: { revision: error.messageKey } }),
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/versjoner`,
    summary: 'Version history: who published what, and when',
    access: author,
    params: slugParams,
    query: z.object({ publisert: z.string().max(200).optional().catch(undefined) }),
    async handle(context) {
      const { module, versions } = await listVersions(context.params.slug);
      return {
        view: 'pages/authoring/versions',
        model: {
          title: context.t('authoring:versions.title', { title: module.title }),
          slug: context.params.slug,
          moduleTitle: module.title,
          published: context.query.publisert ?? null,
          versions: versions.map((v, i) => ({ ...v, publishedAt: formatDate(v.publishedAt, context.lang), previous: versions[i + 1]?.version ?? null })),
        },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/versjoner/sammenlign`,
    summary: 'The lesson text changed between two versions (?fra=1.0&til=1.1)',
    access: author,
    params: slugParams,
    query: z.object({ fra: z.unknown(), til: z.unknown() }),
    async handle(context) {
      const fra = typeof context.query.fra === 'string' && VERSION.test(context.query.fra) ? context.query.fra : null;
      const til = typeof context.query.til === 'string' && VERSION.test(context.query.til) ? context.query.til : null;
      if (!fra || !til) throw new ValidationError('bad versions', { fra: 'authoring:diff.chooseVersions' });
      const [from, to] = await Promise.all([versionFiles(context.params.slug, fra), versionFiles(context.params.slug, til)]);
      const { module } = await listVersions(context.params.slug);
      return {
        view: 'pages/authoring/diff',
        model: { title: context.t('authoring:diff.title', { from: fra, to: til }), slug: context.params.slug, moduleTitle: module.title, from: fra, to: til, files: diffVersions(from.files, to.files) },
      };
    },
  }),
];
