import { createLogger } from '@qi/core';
import kafkajs from 'kafkajs';
import { bridgeLogs } from '../src/connectors/kafkajs/index';

describe('kafkajs log bridge', () => {
  it('logs kafkajs warnings as warnings, except the ones about choices the connector makes on purpose', () => {
    const lines: Array<{ level: number; msg: string; event: string }> = [];
    const logger = createLogger({
      level: 'trace',
      destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
    });
    const log = bridgeLogs(logger, kafkajs)(kafkajs.logLevel.INFO);
    const entry = (level: number, message: string) => ({
      namespace: 'Producer',
      level,
      label: 'WARN',
      log: { message, timestamp: '2026-12-01T00:00:00.000Z', logger: 'kafkajs' },
    });
    log(
      entry(
        kafkajs.logLevel.WARN,
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    );
    log(entry(kafkajs.logLevel.WARN, 'Connection timeout'));
    log(entry(kafkajs.logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'));
    log(entry(kafkajs.logLevel.INFO, 'Starting'));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'],
      [40, 'Connection timeout'],
      [40, 'Crash: KafkaJSNumberOfRetriesExceeded'],
      [20, 'Starting'],
    ]);
    expect(lines.every((l) => l.event === 'kafkajs.log')).toBe(true);
  });
});
