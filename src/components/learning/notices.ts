import type { Logger } from '../../lib/logger.js';
import type { Learner } from './learning.service.js';

/**
 * Messages other components show a learner on "Mine kurs" and on a module's page, such as a team
 * session they missed. Learning only displays them; the component that knows the fact provides it,
 * so learning does not depend on it.
 */
export interface LearnerNotice {
  moduleSlug: string;
  /** i18n key of the message; `date` is filled in with `date` in the page's language. */
  messageKey: string;
  params: Record<string, string>;
  date: Date | null;
  link: { href: string; labelKey: string };
}

export type LearnerNoticeProvider = (learner: Learner) => Promise<LearnerNotice[]>;

/** The providers by name, handed to learning's routes by the composition root (app.ts). */
export type LearnerNoticeProviders = Readonly<Record<string, LearnerNoticeProvider>>;

/** Every provider's notices; one that fails is logged and left out, never breaking the page. */
export async function learnerNotices(providers: LearnerNoticeProviders, learner: Learner, logger: Logger, moduleSlug?: string): Promise<LearnerNotice[]> {
  const lists = await Promise.all(
    Object.entries(providers).map(([name, provider]) =>
      provider(learner).catch((err: unknown) => {
        logger.error({ err, provider: name }, 'learner notices failed');
        return [] as LearnerNotice[];
      }),
    ),
  );
  return lists.flat().filter((n) => !moduleSlug || n.moduleSlug === moduleSlug);
}
