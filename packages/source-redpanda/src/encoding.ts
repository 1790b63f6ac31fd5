import { isUtf8 } from 'node:buffer';
import {
  CoreErrors,
  type MarketRecord,
  type QiError,
  qiError,
  RECORD_SPECS,
  type RecordSpecs,
} from '@qi/core';
import { decodeRecord, isConfluentFrame, type RegistryCodec } from '@qi/kafka-codec';
import type { ConsumedMessage } from '@qi/streaming';

/** Where a message came from: what a dead letter needs to find it again. */
export type MessageContext = {
  topic: string;
  partition: number;
  offset: string;
};

export interface InvalidMessage {
  /** the message as it was (value as UTF-8 text, or base64 when it is not text) */
  record: unknown;
  error: QiError;
  context: MessageContext;
}

export interface Decoded {
  records: MarketRecord[];
  invalid: InvalidMessage[];
}

/**
 * Message -> validated DSL record, with the Redpanda target's own codec (the
 * content-type, qi-schema and fingerprint headers decide JSON or Avro). A
 * message that is not a record at all becomes core's QI_DECODE (its original
 * code kept in the context); one that decodes to a wrong record keeps the
 * validation error and its field issues.
 */
export function decodeMessages(
  messages: readonly ConsumedMessage[],
  out: Decoded,
  specs: RecordSpecs = RECORD_SPECS,
  registry?: RegistryCodec,
): Decoded {
  for (const m of messages) {
    const r =
      registry && isConfluentFrame(m.value, m.headers)
        ? registry.decode(m.value, m.headers)
        : decodeRecord(m.value, m.headers, specs);
    if (r.ok) {
      out.records.push(r.value);
      continue;
    }
    const context = { topic: m.topic, partition: m.partition, offset: m.offset };
    const error = r.error.code === CoreErrors.VALIDATION.code ? r.error : asDecodeError(r.error);
    out.invalid.push({ record: rawMessage(m), error, context });
  }
  return out;
}

function asDecodeError(e: QiError): QiError {
  return qiError(CoreErrors.DECODE, e.message, { cause: e, context: { ...e.context, decodeCode: e.code } });
}

/** The message as a dead letter carries it: headers and key kept, the value as text when it is text. */
export function rawMessage(m: ConsumedMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { headers: m.headers, key: m.key ? text(m.key) : null };
  if (!m.value) out.value = null;
  else if (isUtf8(m.value)) out.value = m.value.toString('utf8');
  else out.valueBase64 = m.value.toString('base64');
  return out;
}

const text = (b: Buffer) => (isUtf8(b) ? b.toString('utf8') : `base64:${b.toString('base64')}`);
