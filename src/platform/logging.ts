import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Structured JSON logs. Request logs carry method, route pattern, status and request id only:
 * no query strings, headers or bodies, which may hold phone numbers or keys. A destination stream
 * replaces stdout (tests read what would be logged).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.phone', '*.email'], remove: true },
    serializers: {
      req: (req: { method: string; url: string; routeOptions?: { url?: string }; id?: string }) => ({
        method: req.method,
        // the pattern (/v1/customers/:id), never the path, which may carry a phone number
        route: req.routeOptions?.url ?? '(unmatched)',
        id: req.id,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * What the log may say about an unexpected error: its class, the SQLSTATE and the constraint,
 * table and column it names, and the stack frames — never its message or detail, which quote the
 * values (a phone number in a failed insert).
 */
export function loggableError(err: unknown): Record<string, unknown> {
  const e = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    constraint?: unknown;
    table?: unknown;
    column?: unknown;
    stack?: unknown;
  };
  const out: Record<string, unknown> = { type: typeof e.name === 'string' ? e.name : typeof err };
  if (typeof e.code === 'string' && /^[0-9A-Z_]{2,40}$/.test(e.code)) out.code = e.code;
  for (const k of ['constraint', 'table', 'column'] as const) if (typeof e[k] === 'string') out[k] = e[k];
  if (typeof e.stack === 'string')
    out.stack = e.stack
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 12)
      .join('\n');
  return out;
}
