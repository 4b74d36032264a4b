/**
 * The one error type of the platform. `code` is stable and machine-readable; `message` is for
 * people. The HTTP error handler maps `status` to the response; details ride along for 4xx only.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id?: string | number) =>
  new AppError('not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`, 404);

export const invalid = (message: string, details?: unknown) =>
  new AppError('invalid_input', message, 400, details);

export const conflict = (message: string, details?: unknown) =>
  new AppError('conflict', message, 409, details);

export const unauthenticated = (message = 'sign in required') =>
  new AppError('unauthenticated', message, 401);

export const forbidden = (message = 'not allowed for your role') =>
  new AppError('forbidden', message, 403);

/** Outside the caller's jurisdiction: answered as not found so the record's existence is not leaked. */
export const outOfReach = (what: string, id?: string | number) => notFound(what, id);

export const tooMany = (message: string, retryAfterS: number) =>
  new AppError('too_many_requests', message, 429, { retryAfterS });

export const payloadTooLarge = (message: string) => new AppError('payload_too_large', message, 413);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
