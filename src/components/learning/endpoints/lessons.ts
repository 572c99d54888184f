import { z } from 'zod';
import { lastTouchedAt, learnerFieldId, parseLearnerForm } from '../../../activities/index.js';
import { ValidationError, type FieldErrors } from '../../../lib/errors.js';
import { endpoint, signedInUser, type EndpointContext, type PageReply, type RedirectReply } from '../../../web/endpoints.js';
import { activityAnchor, activityBase, PrerequisitesNotMetError } from '../learning.service.js';
import { activityOf, slugOf, take, type LearningPagesDeps } from './shared.js';

const lessonParams = z.object({ slug: z.string(), lesson: z.string() });
const actionParams = lessonParams.extend({ activityId: z.string(), action: z.string() });
/**
 * A learner action's form: each activity kind reads its own fields (the registry's parseForm), so the
 * body is taken as sent; anything but an object (a JSON array) is an empty form.
 */
const actionBody = z.unknown().transform((v): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}));

/** Where an error message about a field of an action's form links to: the field's control, or the activity's heading. */
function fieldId(activityId: string, action: string, field: string): string {
  const suffix = learnerFieldId(action, field);
  return suffix ? `${activityBase(activityId)}-${suffix}` : activityAnchor(activityId);
}

export function lessonEndpoints({ learning }: LearningPagesDeps) {
  /** A lesson with its activities in place; what a person typed (`overrides`) is shown instead of what is saved. */
  async function lessonPage(context: EndpointContext<unknown, unknown, unknown>, slug: string, lessonSlug: string, errors: FieldErrors = {}, overrides: Record<string, unknown> = {}): Promise<PageReply> {
    const page = await learning.lessonPage(signedInUser(context), slug, lessonSlug, overrides);
    return {
      view: 'pages/learning/lesson',
      model: { title: `${page.lesson.title} – ${page.module.title}`, ...page, errors, scripts: ['js/autosave.js', 'js/read-aloud.js'] },
    };
  }

  return [
    // GET /moduler/:slug/:lesson — a lesson with its activities in place (locked until prerequisites are met).
    endpoint({
      method: 'get',
      path: '/moduler/:slug/:lesson',
      summary: 'A lesson with its activities in place (a locked page, 403, until the module’s prerequisites are met)',
      access: take,
      params: lessonParams,
      async handle(context) {
        const slug = slugOf(context.params.slug, 'slug');
        const lessonSlug = slugOf(context.params.lesson, 'lesson');
        try {
          return await lessonPage(context, slug, lessonSlug);
        } catch (err) {
          if (!(err instanceof PrerequisitesNotMetError)) throw err;
          return { view: 'pages/learning/locked', status: 403, model: { title: context.t('learning:locked.title'), slug: err.slug, missing: err.missing } };
        }
      },
    }),
    // POST /moduler/:slug/:lesson/aktiviteter/:activityId/:action — a learner's action (form: PRG; JSON for scripts).
    endpoint({
      method: 'post',
      path: '/moduler/:slug/:lesson/aktiviteter/:activityId/:action',
      summary: 'A learner’s action on an activity (a form: saved, then back to the activity; a script asking for JSON: the result)',
      access: take,
      params: actionParams,
      body: actionBody,
      async handle(context) {
        const slug = slugOf(context.params.slug, 'slug');
        const lessonSlug = slugOf(context.params.lesson, 'lesson');
        const { activityId, action } = activityOf(context.params.activityId, context.params.action);
        const { body } = context;
        const parsed = parseLearnerForm(action, body);
        const problems = { ...parsed.errors };
        // The form names its action too: a form posted to another action's address is refused.
        if (typeof body.action === 'string' && body.action !== action) problems.action = 'learning:errors.action';
        if (Object.keys(problems).length > 0) throw new ValidationError('invalid action input', problems);
        const actionId = typeof body.actionId === 'string' ? body.actionId : '';
        const result = await learning.act(signedInUser(context), { slug, lessonSlug, activityId, action, input: parsed.input, actionId });
        if (context.wantsJson) {
          return {
            json: {
              applied: result.applied,
              completedNow: result.completedNow,
              moduleCompleted: !!result.progress.completedAt,
              savedAt: lastTouchedAt(result.activity.kind, result.progress.activities[activityId])?.toISOString() ?? null,
            },
          };
        }
        const flash: RedirectReply['flash'] = result.completedNow
          ? { type: 'success', key: 'learning:flash.moduleCompleted', params: { module: result.version.title } }
          : { type: 'success', key: result.applied ? `learning:flash.${result.activity.kind}` : 'learning:flash.alreadySaved' };
        return { redirect: `/moduler/${slug}/${lessonSlug}#${activityAnchor(activityId)}`, flash };
      },
      // Nothing typed is lost: the lesson again with the person's text and the message by the field. A
      // locked module's lesson is not shown: its PrerequisitesNotMetError goes on to the error handler (403).
      async invalid(context, errors) {
        const { activityId, action } = activityOf(context.params.activityId, context.params.action);
        const byField = Object.fromEntries(Object.entries(errors).map(([field, key]) => [fieldId(activityId, action, field), key]));
        // Every validation error of an action carries the generic message when it names no field.
        if (Object.keys(byField).length === 0) byField[activityAnchor(activityId)] = 'errors:validation';
        const { typed } = parseLearnerForm(action, context.body);
        return lessonPage(context, slugOf(context.params.slug, 'slug'), slugOf(context.params.lesson, 'lesson'), byField, typed ? { [activityId]: typed } : {});
      },
    }),
  ];
}
