/**
 * Typed errors thrown by services and mapped to responses by the one error handler.
 * Messages shown to users are Norwegian message keys (see src/locales/<lng>/errors.json),
 * so the handler can translate them to the reader's language.
 */

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number = 500;
  /** i18n key in the `errors` namespace for the message shown to the user. */
  readonly messageKey: string = 'errors:internal';
  /** Safe to show the message to the user (otherwise a generic text is shown). */
  readonly expose: boolean = false;
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly messageKey = 'errors:notFound';
  override readonly expose = true;
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly messageKey = 'errors:forbidden';
  override readonly expose = true;
}

export class UnauthenticatedError extends AppError {
  override readonly status = 401;
  override readonly messageKey = 'errors:unauthenticated';
  override readonly expose = true;
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly expose = true;
  constructor(
    message: string,
    override readonly messageKey = 'errors:conflict',
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly expose = true;
  constructor(
    message: string,
    readonly fields: FieldErrors = {},
    override readonly messageKey = 'errors:validation',
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly status = 413;
  override readonly messageKey = 'errors:payloadTooLarge';
  override readonly expose = true;
}

export class TooManyRequestsError extends AppError {
  override readonly status = 429;
  override readonly expose = true;
  constructor(
    message: string,
    override readonly messageKey = 'errors:tooManyRequests',
    readonly retryAfterSeconds = 60,
  ) {
    super(message);
  }
}

export class ServiceUnavailableError extends AppError {
  override readonly status = 503;
  override readonly messageKey = 'errors:unavailable';
  override readonly expose = true;
}

/** The server is busy with expensive work (password hashing) and refuses more for a moment. */
export class BusyError extends AppError {
  override readonly status = 503;
  override readonly messageKey = 'errors:busy';
  override readonly expose = true;
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}
