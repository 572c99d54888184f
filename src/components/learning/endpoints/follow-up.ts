import { z } from 'zod';
import { endpoint, formText, signedInUser, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { FOLLOW_UP_TEXT_MAX } from '../follow-up.js';
import { longDate, slugOf, take, type LearningPagesDeps } from './shared.js';

const moduleParams = z.object({ slug: z.string() });
/** Read generously, so a text that is too long is shown again with its message rather than cut. */
const followUpForm = z.object({ scale: formText(10), text: formText(FOLLOW_UP_TEXT_MAX * 2) });
const followUpRules = z.object({
  scale: z.enum(['1', '2', '3', '4', '5'], { message: 'learning:followUp.scaleRequired' }),
  text: z.string().max(FOLLOW_UP_TEXT_MAX, 'learning:followUp.textTooLong'),
});

type Form = z.infer<typeof followUpForm>;
type Context = EndpointContext<{ slug: string }, unknown, unknown>;

/**
 * The follow-up page: the two questions when the person completed the module at least three months
 * ago, otherwise a message saying when (or that it comes after completing). The answer shown is the
 * person's own; no one else sees it.
 */
async function followUpPage({ learning, clock }: LearningPagesDeps, context: Context, slug: string, form?: Form, errors: FieldErrors = {}, status?: number): Promise<PageReply> {
  const page = await learning.followUp(signedInUser(context), slug, (clock ?? (() => new Date()))());
  const answer = page.answer;
  return {
    view: 'pages/learning/follow-up',
    status: status ?? (Object.keys(errors).length ? 400 : 200),
    model: {
      title: context.t('learning:followUp.title', { module: page.module.title }),
      module: page.module,
      status: page.status,
      answer,
      form: form ?? { scale: answer ? String(answer.scale) : '', text: answer?.text ?? '' },
      errors,
      textMax: FOLLOW_UP_TEXT_MAX,
      longDate: longDate(context.lang),
    },
  };
}

export function followUpEndpoints(deps: LearningPagesDeps) {
  const now = () => (deps.clock ?? (() => new Date()))();
  return [
    // GET /moduler/:slug/oppfolging — three months after completing: «Har du endret noe i praksis?» (scale and an optional text only I see).
    endpoint({
      method: 'get',
      path: '/moduler/:slug/oppfolging',
      summary: 'The three-month follow-up of a completed module: has the person changed anything in practice (1–5, optional private text)',
      access: take,
      params: moduleParams,
      handle: (context) => followUpPage(deps, context, slugOf(context.params.slug, 'slug')),
    }),
    // POST /moduler/:slug/oppfolging — stores (or replaces) the person's follow-up answer.
    endpoint({
      method: 'post',
      path: '/moduler/:slug/oppfolging',
      summary: 'Stores or replaces the person’s follow-up answer (only when it is due)',
      access: take,
      params: moduleParams,
      body: followUpForm,
      check: followUpRules,
      async handle(context) {
        const slug = slugOf(context.params.slug, 'slug');
        const saved = await deps.learning.answerFollowUp(signedInUser(context), slug, { scale: Number(context.body.scale), text: context.body.text.trim() }, now());
        // Not completed, or not three months yet: the page says so (nothing stored).
        if (!saved) return followUpPage(deps, context, slug, undefined, {}, 403);
        return { redirect: `/moduler/${slug}/oppfolging`, flash: { type: 'success', key: 'learning:followUp.saved' } };
      },
      invalid: (context, errors) => followUpPage(deps, context, slugOf(context.params.slug, 'slug'), context.body, errors),
    }),
  ];
}
