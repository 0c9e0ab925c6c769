/** Shared test helpers: the parser is loaded once per test file. */
import { initParser, migrate } from '../../src/migrate.js';
import type { MigrateOptions, MigrateResult } from '../../src/types.js';

export async function ready(): Promise<void> {
  await initParser();
}

export function run(source: string, options: MigrateOptions = {}): MigrateResult {
  return migrate(source, options);
}
