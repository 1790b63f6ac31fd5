import { EXIT, type GlobalOpts, prepareOrReport } from './context';

/** What resolved, which version, from where. */
export async function pluginsCommand(opts: GlobalOpts & { json?: boolean }): Promise<number> {
  const prepared = await prepareOrReport(opts);
  if (!prepared) return EXIT.USAGE;
  const rows = prepared.plugins.map((p) => ({
    name: p.packageName,
    kind: p.plugin.kind,
    version: p.version,
    apiVersion: p.plugin.apiVersion,
    location: p.location,
  }));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.OK;
  }
  const header = ['plugin', 'kind', 'version', 'api', 'location'];
  const table = [header, ...rows.map((r) => [r.name, r.kind, r.version, r.apiVersion, r.location])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  process.stdout.write(
    `${table
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  return EXIT.OK;
}
