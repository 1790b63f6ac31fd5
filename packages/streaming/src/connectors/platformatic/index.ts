import type { Logger } from '@qi/core';
import type { StreamingConfig } from '../../config';
import type { ConsumerOptions, ProducerOptions, StreamingConnector } from '../../types';
import { type Importer, loadOptional } from '../load';
import { PlatformaticAdmin } from './admin';
import type { PlatformaticModule } from './base';
import { PlatformaticConsumer } from './consumer';
import { PlatformaticProducer } from './producer';

/** The @platformatic/kafka connector (ESM-only, loaded with import()). */
export async function createPlatformaticConnector(
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
) {
  const loaded = await loadOptional<PlatformaticModule>(
    '@platformatic/kafka',
    'client "platformatic"',
    importer,
  );
  if (!loaded.ok) return loaded;
  const lib = loaded.value;
  const connector: StreamingConnector = {
    name: 'platformatic',
    createProducer: (opts: ProducerOptions = {}) => new PlatformaticProducer(lib, config, opts),
    createConsumer: (opts: ConsumerOptions) => new PlatformaticConsumer(lib, config, opts, logger),
    createAdmin: () => new PlatformaticAdmin(lib, config),
  };
  return { ok: true as const, value: connector };
}
