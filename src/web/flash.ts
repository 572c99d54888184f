import type { Request } from 'express';

type FlashType = 'success' | 'error' | 'info';

/**
 * A one-time message for the next page, after a redirect (POST → redirect → GET). The session is
 * saved before this resolves: express-session otherwise sends the redirect's headers while it is
 * still saving, and a browser that follows the redirect at once reads the session without the message.
 */
export async function setFlash(req: Request, type: FlashType, key: string, params?: Record<string, string | number>): Promise<void> {
  if (!req.session) return;
  req.session.flash = params ? { type, key, params } : { type, key };
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** Reads and removes the pending message, so a reload does not show it again. */
export function takeFlash(req: Request): { type: FlashType; key: string; params?: Record<string, string | number> } | null {
  const flash = req.session?.flash ?? null;
  if (flash) delete req.session.flash;
  return flash;
}
