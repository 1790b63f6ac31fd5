import type { Logger, Result } from '@qi/core';
import type { ClientName, StreamingConfig } from '../config';
import type { StreamingConnector } from '../types';
import { createKafkajsConnector } from './kafkajs/index';
import type { Importer } from './load';
import { createPlatformaticConnector } from './platformatic/index';
import { createRdkafkaConnector } from './rdkafka/index';

type ConnectorFactory = (
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
) => Promise<Result<StreamingConnector>>;

/** One entry per client library: a new connector is its name in CLIENT_NAMES and a line here. */
const CONNECTORS: Record<ClientName, ConnectorFactory> = {
  kafkajs: createKafkajsConnector,
  platformatic: createPlatformaticConnector,
  rdkafka: createRdkafkaConnector,
};

/** Picks the client library named by `config.client`; a missing library is an error that says what to install. */
export function createConnector(
  config: StreamingConfig,
  logger: Logger,
  importer?: Importer,
): Promise<Result<StreamingConnector>> {
  return CONNECTORS[config.client](config, logger, importer);
}
