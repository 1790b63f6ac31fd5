import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { qiError } from '@qi/core';
import { McpErrors } from './errors';

export const DEFAULT_TOKEN_ENV = 'QI_MCP_TOKEN';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The bearer token policy: required whenever the server listens beyond
 * loopback, enforced on loopback when one is set. Refusing to start is the
 * only safe answer to "0.0.0.0 without a token".
 */
export function resolveToken(opts: {
  host: string;
  token?: string | undefined;
  tokenEnv?: string;
  env?: NodeJS.ProcessEnv;
}): string | undefined {
  const tokenEnv = opts.tokenEnv ?? DEFAULT_TOKEN_ENV;
  const token = opts.token ?? ((opts.env ?? process.env)[tokenEnv] || undefined);
  if (!token && !isLoopback(opts.host)) {
    throw qiError(
      McpErrors.CONFIG,
      `refusing to listen on ${opts.host} without a bearer token: anyone who can reach this address could write to the target. Set ${tokenEnv} to a long random secret (e.g. openssl rand -hex 32) and give the same token to clients, or listen on 127.0.0.1`,
      { context: { host: opts.host, tokenEnv } },
    );
  }
  if (token !== undefined && token.length < 16) {
    throw qiError(
      McpErrors.CONFIG,
      `the bearer token in ${tokenEnv} is too short: use at least 16 characters`,
      {
        context: { tokenEnv },
      },
    );
  }
  return token;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time check of an Authorization header against the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!.trim()), digest(token));
}
