import type { Logger, Result } from '@qi/core';
import type { StreamingConfig } from '../config';
import type { StreamingConnector } from '../types';
import { createKafkajsConnector } from './kafkajs/index';
import type { Importer } from './load';
import { createPlatformaticConnector } from './platformatic/index';

/** Picks the client library named by `config.client`; a missing library is an error that says what to install. */
export function createConnector(
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
): Promise<Result<StreamingConnector>> {
  return config.client === 'platformatic'
    ? createPlatformaticConnector(config, logger, importer)
    : createKafkajsConnector(config, logger, importer);
}
