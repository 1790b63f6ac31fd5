/**
 * Log lines for a person at a terminal: one readable line per entry (time, level, message,
 * then the fields), each first clearing the progress line so the two never share a line.
 * Formatting is synchronous, so nothing is lost when qi exits right after its last line;
 * secrets are already scrubbed from the JSON line it gets.
 */
export async function ttyLogDestination(
  out: (s: string) => void = (s) => void process.stderr.write(s),
  colors = Boolean(process.stderr.hasColors?.()),
): Promise<{ write(line: string): void }> {
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({
    colorize: colors,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
  });
  return { write: (line: string) => out(`\r\x1b[2K${pretty(line)}`) };
}
