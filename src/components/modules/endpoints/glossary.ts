import { z } from 'zod';
import { endpoint, formText, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { activityFormView, applyRowOperation, fieldId, formSpec, parseRowOperation, readActivityForm, validateActivityForm, type FieldMessage } from '../activity-form.js';
import { getGlossary, saveGlossary } from '../authoring.service.js';
import { problemViews } from '../authoring.view.js';
import { glossaryEntrySchema } from '../format.js';
import { BASE, author, flag, publisher, slugParams } from './shared.js';

/**
 * A module's glossary through a form: each word a row (the word, its other forms, the
 * explanation), added, moved and removed with submit buttons like an activity's rows, so an
 * author writes the word explanations without YAML and without JavaScript. Saving writes the
 * `glossary` key of module.md; the rest of the file is left as it was.
 */

/** The form's schema: module.md's own rule for the glossary, so the form refuses what the checker would. */
const glossaryForm = z.object({ glossary: z.array(glossaryEntrySchema).max(30) });
const fields = formSpec(glossaryForm);
/** Labels and hints live with the activity forms' texts, under this name. */
const FORM_NAME = 'module-glossary';

type Context = Pick<EndpointContext<unknown, unknown, unknown>, 't'>;

interface FormState {
  revision?: number;
  data?: Record<string, unknown>;
  errors?: Record<string, FieldMessage>;
  conflict?: boolean;
  saved?: boolean;
}

type Glossary = Awaited<ReturnType<typeof getGlossary>>;

/** The page from the glossary as read once for this request (`current`). */
async function glossaryPage(context: Context, slug: string, state: FormState = {}, current?: Glossary): Promise<PageReply> {
  current ??= await getGlossary(slug);
  const errors = state.errors ?? {};
  const data = state.data ?? { glossary: current.glossary };
  const view = activityFormView(FORM_NAME, fields, data, errors, context.t);
  const summary = Object.fromEntries(Object.entries(errors).map(([name, message]) => [name ? fieldId(name) : 'glossary-form', message]));
  return {
    view: 'pages/authoring/glossary',
    model: {
      title: context.t('authoring:glossary.title', { title: current.module.title }),
      slug,
      moduleTitle: current.module.title,
      revision: state.revision ?? current.module.revision,
      fields: view,
      errors: summary,
      formError: errors[''] ?? null,
      problems: problemViews(slug, current.problems),
      conflict: state.conflict ?? false,
      saved: state.saved ?? false,
      count: Array.isArray(data.glossary) ? data.glossary.length : 0,
    },
  };
}

const formBody = z.looseObject({ revision: z.string().regex(/^\d{1,12}$/), _op: formText(210) });

/** The posted form, read against the saved glossary so a setting the form does not show is kept. */
function readForm(current: Glossary, body: Record<string, unknown>): Record<string, unknown> {
  return readActivityForm(fields, body, { glossary: current.glossary });
}

export const glossaryEndpoints = [
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/ordliste`,
    summary: "The module's glossary as a form: a row per word",
    access: author,
    params: slugParams,
    query: z.object({ lagret: flag }),
    handle: (context) => glossaryPage(context, context.params.slug, { saved: context.query.lagret }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/ordliste`,
    summary: "Adds, removes or moves a word's row, or writes the glossary into module.md (refused if someone else saved first)",
    access: author,
    params: slugParams,
    body: formBody,
    async handle(context) {
      const { slug } = context.params;
      const revision = Number(context.body.revision);
      const current = await getGlossary(slug);
      const data = readForm(current, context.body);
      const operation = parseRowOperation(context.body._op);
      if (operation) {
        applyRowOperation(fields, data, operation);
        return glossaryPage(context, slug, { revision, data }, current);
      }
      const checked = validateActivityForm(glossaryForm, data);
      if (!checked.ok) return { ...(await glossaryPage(context, slug, { revision, data, errors: checked.errors }, current)), status: 400 };
      await saveGlossary({ slug, revision, glossary: Array.isArray(data.glossary) ? data.glossary : [], by: publisher(context) });
      return { redirect: `${BASE}/${slug}/ordliste?lagret=1` };
    },
    // A malformed revision, or a module.md whose front matter cannot be read: what the author wrote,
    // with the reason above the form.
    async invalid(context, errors) {
      const current = await getGlossary(context.params.slug);
      const messages = Object.fromEntries(Object.entries(errors).map(([name, key]) => [name === 'revision' ? '' : name, { key: name === 'revision' ? 'authoring:errors.staleRevision' : key, params: {} }]));
      return glossaryPage(context, context.params.slug, { data: readForm(current, context.body), errors: messages }, current);
    },
    // Someone else saved first: the form again with what this author wrote, on the current revision.
    async conflict(context) {
      const current = await getGlossary(context.params.slug);
      return glossaryPage(context, context.params.slug, { data: readForm(current, context.body), conflict: true }, current);
    },
  }),
];
