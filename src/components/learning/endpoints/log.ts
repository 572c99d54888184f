import { endpoint, signedInUser } from '../../../web/endpoints.js';
import { learningLogMarkdown } from '../learning-log.js';
import { formatDateLong, learningLogPdf } from '../pdf.js';
import { take, type LearningPagesDeps } from './shared.js';

/** The learning log: my reflections and workplace-task notes, on a page and to take along. Only mine, ever. */
export function logEndpoints({ learning }: LearningPagesDeps) {
  return [
    // GET /mine-kurs/laeringslogg — my reflections and workplace-task notes in one place (only mine, ever).
    endpoint({
      method: 'get',
      path: '/mine-kurs/laeringslogg',
      summary: 'My learning log: my reflections and workplace-task notes in one place (only mine, ever)',
      access: take,
      async handle(context) {
        const entries = await learning.learningLog(signedInUser(context));
        return {
          view: 'pages/learning/log',
          model: { title: context.t('learning:log.title'), entries: entries.map((e) => ({ ...e, date: e.savedAt ? formatDateLong(e.savedAt, context.lang) : null })) },
        };
      },
    }),
    // GET /mine-kurs/laeringslogg/markdown — the learning log as a Markdown file to take to a meeting.
    endpoint({
      method: 'get',
      path: '/mine-kurs/laeringslogg/markdown',
      summary: 'My learning log as a Markdown file to take to a meeting',
      access: take,
      async handle(context) {
        const user = signedInUser(context);
        const markdown = learningLogMarkdown(user.name, await learning.learningLog(user), context.t, context.lang);
        return { file: Buffer.from(markdown, 'utf8'), type: 'text/markdown; charset=utf-8', filename: 'laeringslogg.md' };
      },
    }),
    // GET /mine-kurs/laeringslogg/pdf — the learning log as a PDF.
    endpoint({
      method: 'get',
      path: '/mine-kurs/laeringslogg/pdf',
      summary: 'My learning log as a PDF',
      access: take,
      async handle(context) {
        const user = signedInUser(context);
        return { file: await learningLogPdf(user.name, await learning.learningLog(user), context.t, context.lang), type: 'application/pdf', filename: 'laeringslogg.pdf' };
      },
    }),
  ];
}
