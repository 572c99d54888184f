import { z } from 'zod';
import { endpoint, signedInUser, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { learnerNotices } from '../notices.js';
import { longDate, slugOf, take, type LearningPagesDeps } from './shared.js';

const themeQuery = z.object({ tema: z.string().max(60).optional().catch(undefined) });
const moduleParams = z.object({ slug: z.string() });

type Context = EndpointContext<unknown, unknown, unknown>;

/** "Mine kurs": assigned modules with deadlines and status, then modules for my kind of unit. */
async function myCoursesPage({ logger, learning, notices: providers, clock }: LearningPagesDeps, context: Context, theme: string | undefined): Promise<PageReply> {
  const user = signedInUser(context);
  const [page, notices] = await Promise.all([learning.myCourses(user, { theme, ...(clock ? { now: clock() } : {}) }), learnerNotices(providers, user, context.log ?? logger)]);
  return { view: 'pages/learning/my-courses', model: { title: context.t('learning:myCourses.title'), ...page, notices, longDate: longDate(context.lang) } };
}

/**
 * A signed-in person's start page is "Mine kurs": handed by the composition root to the public start
 * page's endpoint (GET /), which shows it to anyone signed in.
 */
export function learnerStartPage(deps: LearningPagesDeps): (context: Context) => Promise<PageReply> {
  return (context) => myCoursesPage(deps, context, themeQuery.parse(context.query).tema);
}

export function courseEndpoints(deps: LearningPagesDeps) {
  const { logger, learning, notices: providers } = deps;
  return [
    // GET /mine-kurs — assigned modules with deadlines and status, then modules for my kind of unit.
    endpoint({
      method: 'get',
      path: '/mine-kurs',
      summary: '“Mine kurs”: assigned modules with deadlines and status, then modules for my kind of unit',
      access: take,
      query: themeQuery,
      handle: (context) => myCoursesPage(deps, context, context.query.tema),
    }),
    // GET /moduler/:slug — a module: what it is for, prerequisites, lessons with status, where to continue.
    endpoint({
      method: 'get',
      path: '/moduler/:slug',
      summary: 'A module: what it is for, prerequisites, lessons with status, and where to continue',
      access: take,
      params: moduleParams,
      async handle(context) {
        const slug = slugOf(context.params.slug, 'slug');
        const user = signedInUser(context);
        const [page, notices] = await Promise.all([learning.modulePage(user, slug), learnerNotices(providers, user, context.log ?? logger, slug)]);
        return { view: 'pages/learning/module', model: { title: page.module.title, ...page, notices, longDate: longDate(context.lang) } };
      },
    }),
    // GET /moduler/:slug/ordliste — the module's glossary: the words its lessons explain (word explanations link here).
    endpoint({
      method: 'get',
      path: '/moduler/:slug/ordliste',
      summary: 'The module’s glossary: the words its lessons explain (word explanations link here)',
      access: take,
      params: moduleParams,
      async handle(context) {
        const page = await learning.glossaryPage(signedInUser(context), slugOf(context.params.slug, 'slug'));
        return { view: 'pages/learning/glossary', model: { title: context.t('learning:glossary.title', { module: page.module.title }), ...page } };
      },
    }),
  ];
}
