import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import type { Result } from '@qi/core';
import { qiError } from '@qi/core';
import { StreamingErrors } from '../../errors';
import type { Compression } from '../../types';
import { loadOptional } from '../load';
import type { KafkajsModule } from './module';

type Codec = () => {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
};

// kafkajs ships gzip only. zstd comes from Node's zlib (Node >= 22.15); snappy
// and lz4 from the community codec packages, installed only by those who use them.
const PACKAGES: Partial<Record<Compression, string>> = { snappy: 'kafkajs-snappy', lz4: 'kafkajs-lz4' };

const zstdCodec: Codec = () => ({
  compress: async (encoder) => zstdCompressSync(encoder.buffer),
  decompress: async (buffer) => zstdDecompressSync(buffer),
});

// kafkajs pre-fills snappy/lz4/zstd with factories that throw "not implemented"
function usable(codec: Codec | undefined): boolean {
  try {
    return !!codec?.();
  } catch {
    return false;
  }
}

/** Registers the codec for `compression` in kafkajs (idempotent), or says what to install. */
export async function ensureKafkajsCodec(
  lib: KafkajsModule,
  compression: Compression,
): Promise<Result<number>> {
  const type = {
    none: lib.CompressionTypes.None,
    gzip: lib.CompressionTypes.GZIP,
    snappy: lib.CompressionTypes.Snappy,
    lz4: lib.CompressionTypes.LZ4,
    zstd: lib.CompressionTypes.ZSTD,
  }[compression];
  const codecs = lib.CompressionCodecs as unknown as Record<number, Codec | undefined>;
  if (compression === 'none' || compression === 'gzip' || usable(codecs[type]))
    return { ok: true, value: type };
  if (compression === 'zstd') {
    if (typeof zstdCompressSync !== 'function') {
      return {
        ok: false,
        error: qiError(
          StreamingErrors.CODEC_MISSING,
          'zstd compression with kafkajs needs Node >= 22.15 (zlib zstd)',
        ),
      };
    }
    codecs[type] = zstdCodec;
    return { ok: true, value: type };
  }
  const pkg = PACKAGES[compression]!;
  const mod = await loadOptional<{ default?: unknown }>(
    pkg,
    `${compression} compression with kafkajs`,
    undefined,
    StreamingErrors.CODEC_MISSING,
  );
  if (!mod.ok) return mod;
  const exported = (mod.value.default ?? mod.value) as unknown;
  // kafkajs-snappy exports the codec factory; kafkajs-lz4 exports a class whose instances have .codec
  const codec =
    typeof exported === 'function' &&
    (exported as { prototype?: { codec?: unknown } }).prototype?.codec === undefined &&
    compression === 'snappy'
      ? (exported as Codec)
      : new (exported as new () => { codec: Codec })().codec;
  codecs[type] = codec;
  return { ok: true, value: type };
}
