import type { Logger, Result } from '@qi/core';
import { qiError } from '@qi/core';
import type { StreamingConfig } from '../../config';
import { StreamingErrors } from '../../errors';
import type { ConsumerOptions, ProducerOptions, StreamingConnector } from '../../types';
import { type Importer, loadOptional } from '../load';
import { RdkafkaAdmin } from './admin';
import type { RdkafkaModule } from './base';
import { RdkafkaConsumer } from './consumer';
import { RdkafkaProducer } from './producer';

const PACKAGE = '@confluentinc/kafka-javascript';
/** What building librdkafka from source needs on Debian/Ubuntu (the package's bundled source, linked dynamically). */
export const RDKAFKA_BUILD_HINT =
  `its native part is not built: npm rebuild ${PACKAGE} (downloads a prebuilt binary for common platforms); ` +
  `without internet it builds from source: CKJS_LINKING=dynamic npm rebuild ${PACKAGE} --build-from-source, which needs ` +
  'a C/C++ toolchain, make, python3, pkg-config and the OpenSSL, zlib, zstd, lz4 and SASL headers ' +
  '(apt-get install g++ make python3 pkg-config libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev)';

/** The librdkafka connector (@confluentinc/kafka-javascript's native API): one set of properties per streaming client. */
export async function createRdkafkaConnector(
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
): Promise<Result<StreamingConnector>> {
  const loaded = await loadOptional<RdkafkaModule & { default?: RdkafkaModule }>(
    PACKAGE,
    'client "rdkafka"',
    importer,
  );
  if (!loaded.ok) {
    const cause = loaded.error.cause as { message?: string } | undefined;
    // installed, but `bindings` found no compiled .node file: the native build is what failed
    if (/Could not locate the bindings file|confluent-kafka-javascript\.node/.test(cause?.message ?? ''))
      return {
        ok: false,
        error: qiError(
          StreamingErrors.CLIENT_MISSING,
          `client "rdkafka": ${PACKAGE} is installed but ${RDKAFKA_BUILD_HINT}`,
          {
            context: { package: PACKAGE, install: `npm rebuild ${PACKAGE}` },
            cause: loaded.error,
          },
        ),
      };
    return loaded;
  }
  // CommonJS through import(): the API is on `default` under Node, on the namespace under jest
  const lib = (loaded.value.default?.Producer ? loaded.value.default : loaded.value) as RdkafkaModule;
  const connector: StreamingConnector = {
    name: 'rdkafka',
    createProducer: (opts: ProducerOptions = {}) => new RdkafkaProducer(lib, config, opts, logger),
    createConsumer: (opts: ConsumerOptions) => new RdkafkaConsumer(lib, config, opts, logger),
    createAdmin: () => new RdkafkaAdmin(lib, config, logger),
  };
  return { ok: true, value: connector };
}
