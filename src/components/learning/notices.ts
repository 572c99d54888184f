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

type NoticeProvider = (learner: Learner) => Promise<LearnerNotice[]>;

const providers = new Map<string, NoticeProvider>();

export function registerLearnerNotices(name: string, provider: NoticeProvider): void {
  providers.set(name, provider);
}

/** Every provider's notices; one that fails is logged and left out, never breaking the page. */
export async function learnerNotices(learner: Learner, logger: Logger, moduleSlug?: string): Promise<LearnerNotice[]> {
  const lists = await Promise.all(
    [...providers].map(([name, provider]) =>
      provider(learner).catch((err: unknown) => {
        logger.error({ err, provider: name }, 'learner notices failed');
        return [] as LearnerNotice[];
      }),
    ),
  );
  return lists.flat().filter((n) => !moduleSlug || n.moduleSlug === moduleSlug);
}
