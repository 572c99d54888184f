import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.js';

/**
 * Zod's issues as the field messages the forms show by each field: one per field (the first), keyed
 * by the field's top-level name. A schema's own messages are locale keys (`component:errors.x`);
 * anything else (zod's built-in English) becomes `fallback`. The one place this mapping is written.
 */
export function fieldErrorsOf(error: z.ZodError, fallback = 'errors:validation', field = 'form'): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) fields[String(issue.path[0] ?? field)] ??= LOCALE_KEY.test(issue.message) ? issue.message : fallback;
  return fields;
}

/**
 * A message that is a locale key (`namespace:path.to.text`). Zod's own messages contain colons too
 * ("Invalid input: expected string"), so a colon alone does not make a key.
 */
const LOCALE_KEY = /^[a-z][\w-]*:[\w.-]+$/i;

/** Parses `input`, or throws a ValidationError with one message key per field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'invalid input'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(what, fieldErrorsOf(parsed.error));
}
