/** A MongoDB ObjectId as 24 hex characters; anything else in a URL or a file is not an id. */
export function isObjectIdString(value: unknown): value is string {
  return typeof value === 'string' && /^[a-f0-9]{24}$/i.test(value);
}

/** Escapes text for use inside a regular expression (searches by name). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
