/**
 * Only a local path may be a login's return address: never another host, and never a
 * protocol-relative or backslash trick (`//evil`, `/\evil`) that browsers treat as one.
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 512) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters (header splitting) and backslashes have no place in a local path.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\\')) return fallback;
  return value;
}
