import { generateAvroSchemas, generateJsonSchemas, generateSql, generateTopics } from '../dsl/index';
import { EXIT, printError } from './context';

export function schemaCommand(
  format: string,
  opts: { schema?: string; timescale?: boolean; prefix?: string; partitions?: string },
): number {
  switch (format) {
    case 'sql':
      process.stdout.write(
        generateSql({ schema: opts.schema, timescale: opts.timescale ? { compressAfter: '7 days' } : false }),
      );
      return EXIT.OK;
    case 'topics':
      process.stdout.write(
        `${JSON.stringify(generateTopics({ prefix: opts.prefix, partitions: opts.partitions ? Number(opts.partitions) : undefined }), null, 2)}\n`,
      );
      return EXIT.OK;
    case 'json':
      process.stdout.write(`${JSON.stringify(generateJsonSchemas(), null, 2)}\n`);
      return EXIT.OK;
    case 'avro':
      process.stdout.write(`${JSON.stringify(generateAvroSchemas(), null, 2)}\n`);
      return EXIT.OK;
    default:
      printError(
        `qi schema: unknown format "${format}"; expected one of sql, topics, json, avro, plan, apply, config`,
      );
      return EXIT.USAGE;
  }
}
