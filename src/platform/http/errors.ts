/** The one error shape of the API: {"error":{"code","message","field?"}}. */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly field?: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new AppError(400, 'invalid_request', message, field);
export const unprocessable = (code: string, message: string, field?: string, details?: Record<string, unknown>) =>
  new AppError(422, code, message, field, details);
export const notFound = (what: string, field?: string) => new AppError(404, 'not_found', `${what} not found`, field);
export const conflict = (code: string, message: string, field?: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, field, details);
export const forbidden = (message = 'your role may not do this') => new AppError(403, 'forbidden', message);
export const unauthorized = (message = 'a valid API key is required: Authorization: Bearer <key>') =>
  new AppError(401, 'unauthorized', message);

export interface ErrorBody {
  error: { code: string; message: string; field?: string } & Record<string, unknown>;
}

export function errorBody(e: AppError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.details ?? {}) } };
}
