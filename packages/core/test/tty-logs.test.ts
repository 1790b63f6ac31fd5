import { ttyLogDestination } from '../src/cli/tty-logs';
import { createLogger } from '../src/observability/logger';

describe('logs on a terminal', () => {
  it('are one readable line each, clear the progress line first, and keep the scrubbing', async () => {
    const out: string[] = [];
    const destination = await ttyLogDestination((s) => out.push(s), false);
    const logger = createLogger({
      level: 'info',
      destination,
      scrub: (line) => line.replaceAll('s3cr3t', '[redacted]'),
    });
    logger.warn({ event: 'source.rate_limited', retryAfterMs: 1500 }, 'CoinGecko said 429 to key s3cr3t');
    logger.debug('not shown at info');
    expect(out).toHaveLength(1);
    const line = out[0]!;
    expect(line.startsWith('\r\x1b[2K')).toBe(true);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().split('\n')).toHaveLength(1);
    expect(line.slice('\r\x1b[2K'.length)).toMatch(
      /^\[\d{2}:\d{2}:\d{2}(\.\d{3})?\] WARN: CoinGecko said 429 to key \[redacted\]/,
    );
    expect(line).toContain('"event":"source.rate_limited"');
    expect(line).toContain('"retryAfterMs":1500');
    expect(line).not.toContain('s3cr3t');
    expect(line).not.toContain('"app"');
  });
});
