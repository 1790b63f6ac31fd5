import pino, { type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * JSON logs on stderr (stdout belongs to the stdout target). Secret config
 * fields are redacted by path before anything is written.
 */
export function createLogger(
  opts: {
    level?: LogLevel;
    redact?: string[];
    destination?: pino.DestinationStream;
    scrub?: (line: string) => string;
  } = {},
): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'qi' },
      redact: {
        paths: ['*.password', '*.token', '*.apiKey', '*.secret', ...(opts.redact ?? [])],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(opts.scrub ? { hooks: { streamWrite: opts.scrub } } : {}),
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
