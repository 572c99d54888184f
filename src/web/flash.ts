import type { Request } from 'express';

type FlashType = 'success' | 'error' | 'info';

/** A one-time message for the next page, after a redirect (POST → redirect → GET). */
export function setFlash(req: Request, type: FlashType, key: string, params?: Record<string, string | number>): void {
  if (req.session) req.session.flash = params ? { type, key, params } : { type, key };
}

/** Reads and removes the pending message, so a reload does not show it again. */
export function takeFlash(req: Request): { type: FlashType; key: string; params?: Record<string, string | number> } | null {
  const flash = req.session?.flash ?? null;
  if (flash) delete req.session.flash;
  return flash;
}
