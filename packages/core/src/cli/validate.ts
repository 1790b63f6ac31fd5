import { redactValue } from '../host/secrets';
import { EXIT, type GlobalOpts, prepareOrReport } from './context';

export async function validateCommand(opts: GlobalOpts & { print?: boolean }): Promise<number> {
  const prepared = await prepareOrReport(opts);
  if (!prepared) return EXIT.USAGE;
  const lines = prepared.pipelines.map(
    (p) =>
      `  ✔ ${p.name}: ${p.source.resolved.packageName} → ${p.targets.map((t) => `${t.name} (${t.resolved.packageName})`).join(', ')}`,
  );
  process.stdout.write(`config ${prepared.file.filepath} is valid\n${lines.join('\n')}\n`);
  if (opts.print) {
    const shown = prepared.pipelines.map((p) => ({
      name: p.name,
      source: p.source.config,
      targets: p.targets.map((t) => ({ name: t.name, config: t.config })),
    }));
    process.stdout.write(`${JSON.stringify(redactValue(shown, prepared.secrets), null, 2)}\n`);
  }
  return EXIT.OK;
}
