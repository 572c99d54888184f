import { z } from 'zod';
import { endpoint, formText, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { ValidationError } from '../../../lib/errors.js';
import { activityFormView, applyRowOperation, fieldId, formSpec, initialData, parseRowOperation, readActivityForm, validateActivityForm, type FieldMessage } from '../activity-form.js';
import { authoredKind, authoredKindNames, checkActivityBlock, getActivityBlock, lessonBlocks, lessonPlacements, originalBlockData, placementForLine, saveActivityBlock } from '../activity-authoring.service.js';
import { problemViews } from '../authoring.view.js';
import { getLesson } from '../authoring.service.js';
import { BASE, author, lessonParams, publisher } from './shared.js';

/**
 * Activities through a form in the lesson editor: choose a kind, fill in its form (made from the
 * kind's settings schema), and the block is written into the lesson's Markdown; an existing block
 * opens in the same form. Rows of lists are added, removed and moved with submit buttons, so all
 * of it works without JavaScript.
 */

type Context = Pick<EndpointContext<unknown, unknown, unknown>, 't' | 'render'>;

/** A block number in a query or a form: digits, or nothing for a new block. */
const blockNumber = (value: string): number | null => (/^\d{1,4}$/.test(value) ? Number(value) : null);

interface FormState {
  kind: string;
  index: number | null;
  revision: number;
  data: unknown;
  errors?: Record<string, FieldMessage>;
  conflict?: boolean;
  /** For a new block: before which line it goes (0: at the end). */
  before?: number;
  /** The form's block checked as if saved («Kontroller og forhåndsvis»): its problems and how learners see it. */
  checked?: Awaited<ReturnType<typeof checkActivityBlock>>;
}

async function formPage(context: Context, slug: string, file: string, state: FormState): Promise<PageReply> {
  const definition = authoredKind(state.kind);
  const lesson = await getLesson(slug, file);
  const errors = state.errors ?? {};
  const fields = activityFormView(state.kind, formSpec(definition.settingsSchema), state.data, errors, context.t);
  const kindName = context.t(`activities:form.${state.kind}.name`);
  // What the module checker says about this block as saved (editorial checks the schema alone does not make, too).
  const block = state.index === null ? undefined : lessonBlocks(lesson.text)[state.index];
  const problems = state.checked ? state.checked.problems : block ? lesson.problems.filter((p) => p.file === lesson.path && p.line >= block.line && p.line <= block.close + 1) : [];
  const previewHtml = state.checked?.activity ? await context.render('partials/lesson-content', { parts: [state.checked.activity] }) : null;
  // The summary links each message to its field; a message about the whole activity links to the first field.
  const summary = Object.fromEntries(Object.entries(errors).map(([name, message]) => [name ? fieldId(name) : (fields[0]?.id ?? 'activity-form'), message]));
  return {
    view: 'pages/authoring/activity',
    model: {
      title: context.t(state.index === null ? 'authoring:activityForm.newTitle' : 'authoring:activityForm.editTitle', { kind: kindName }),
      slug,
      file,
      moduleTitle: lesson.module.title,
      kind: state.kind,
      kindName,
      index: state.index,
      revision: state.revision,
      fields,
      errors: summary,
      formError: errors[''] ?? null,
      conflict: state.conflict ?? false,
      problems: problemViews(slug, problems),
      checked: !!state.checked,
      previewHtml,
      placements: state.index === null ? lessonPlacements(lesson.text) : [],
      before: state.before ?? 0,
    },
  };
}

async function choosePage(context: Context, slug: string, file: string, before = 0): Promise<PageReply> {
  const lesson = await getLesson(slug, file);
  return {
    view: 'pages/authoring/activity-kinds',
    model: {
      title: context.t('authoring:activityForm.chooseTitle'),
      slug,
      file,
      moduleTitle: lesson.module.title,
      before,
      kinds: authoredKindNames().map((kind) => ({ kind, name: context.t(`activities:form.${kind}.name`), hint: context.t(`activities:form.${kind}.hint`) })),
    },
  };
}

const formBody = z.looseObject({ revision: formText(12), type: formText(40), blokk: formText(6), plassering: formText(6), _op: formText(210) });

export const activityEndpoints = [
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/leksjoner/:file/aktivitet`,
    summary: 'Choose a kind of activity, then its form: empty for a new block, or filled from block `blokk`',
    access: author,
    params: lessonParams,
    query: z.object({ type: formText(40), blokk: formText(6), plassering: formText(6), linje: formText(6) }),
    async handle(context) {
      const { slug, file } = context.params;
      const index = blockNumber(context.query.blokk);
      if (index !== null) {
        const block = await getActivityBlock(slug, file, index);
        return formPage(context, slug, file, { kind: block.kind, index, revision: block.revision, data: block.data });
      }
      // The editor's script sends the cursor's line (`linje`); the form's own choice is `plassering`.
      const line = blockNumber(context.query.linje);
      const before = blockNumber(context.query.plassering) ?? (line === null ? 0 : placementForLine((await getLesson(slug, file)).text, line));
      if (!context.query.type) return choosePage(context, slug, file, before);
      const definition = authoredKind(context.query.type);
      const lesson = await getLesson(slug, file);
      return formPage(context, slug, file, { kind: context.query.type, index: null, revision: lesson.module.revision, data: initialData(formSpec(definition.settingsSchema)), before });
    },
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner/:file/aktivitet`,
    summary: "Adds, removes or moves a row of the activity form, or writes the block into the lesson (refused if someone else saved first)",
    access: author,
    params: lessonParams,
    body: formBody,
    async handle(context) {
      const { slug, file } = context.params;
      const { type: kind, _op: op } = context.body;
      const definition = authoredKind(kind);
      const index = blockNumber(context.body.blokk);
      const revision = Number(context.body.revision);
      const before = blockNumber(context.body.plassering) ?? 0;
      if (!/^\d+$/.test(context.body.revision)) throw new ValidationError('bad revision', { revision: 'authoring:errors.staleRevision' });
      const fields = formSpec(definition.settingsSchema);
      const data = readActivityForm(fields, context.body, await originalBlockData(slug, file, index));
      // «Kontroller og forhåndsvis»: the block as if saved — the checker's findings and the learner's view — and nothing saved.
      if (op === 'check') {
        const checked = validateActivityForm(definition.settingsSchema, data);
        if (!checked.ok) return { ...(await formPage(context, slug, file, { kind, index, revision, data, before, errors: checked.errors })), status: 400 };
        return formPage(context, slug, file, { kind, index, revision, data, before, checked: await checkActivityBlock({ slug, file, index, before, kind, data }) });
      }
      const operation = parseRowOperation(op);
      if (operation) {
        applyRowOperation(fields, data, operation);
        return formPage(context, slug, file, { kind, index, revision, data, before });
      }
      const checked = validateActivityForm(definition.settingsSchema, data);
      if (!checked.ok) return { ...(await formPage(context, slug, file, { kind, index, revision, data, before, errors: checked.errors })), status: 400 };
      await saveActivityBlock({ slug, file, revision, index, before, kind, data, by: publisher(context) });
      return { redirect: `${BASE}/${slug}/leksjoner/${file}?lagret=1` };
    },
    // Only a malformed revision gets here (the form's own errors are shown by `handle`): start again from the lesson.
    invalid: async (context) => choosePage(context, context.params.slug, context.params.file),
    // Someone else saved first: the form again with what this author filled in, on the current revision.
    async conflict(context) {
      const { slug, file } = context.params;
      const kind = context.body.type;
      const index = blockNumber(context.body.blokk);
      const definition = authoredKind(kind);
      const data = readActivityForm(formSpec(definition.settingsSchema), context.body, await originalBlockData(slug, file, index));
      const lesson = await getLesson(slug, file);
      return formPage(context, slug, file, { kind, index, revision: lesson.module.revision, data, before: blockNumber(context.body.plassering) ?? 0, conflict: true });
    },
  }),
];
