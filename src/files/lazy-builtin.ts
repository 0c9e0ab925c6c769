/**
 * Node built-in modules that only some runs need, loaded on first use: `crypto` costs a one-file
 * dry run about 6-10 ms of its cold start (14 internal modules), and a dry run never hashes.
 */
import { createRequire } from 'node:module';

const loadBuiltin = createRequire(import.meta.url);

let crypto: typeof import('node:crypto') | undefined;

/** A SHA-256 hash object from node:crypto, loaded the first time one is asked for. */
export function sha256(): import('node:crypto').Hash {
  crypto ??= loadBuiltin('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256');
}
