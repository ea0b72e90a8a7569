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
