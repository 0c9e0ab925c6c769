/**
 * Fixture pairs: fixtures/<case>/input.sh migrates to exactly fixtures/<case>/expected.sh.
 * Optional: options.json (MigrateOptions), report.json (a subset of the report that must match).
 * UPDATE_FIXTURES=1 writes expected.sh / report.json from the current output (review the diff!).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready, run } from './helpers/core.js';
import { compactReport } from './helpers/compact-report.js';

const root = join(import.meta.dirname, '..', 'fixtures');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const update = process.env.UPDATE_FIXTURES === '1';

beforeAll(ready);

describe('fixtures', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(10);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(root, name);
      const input = readFileSync(join(dir, 'input.sh'), 'utf8');
      const optionsFile = join(dir, 'options.json');
      const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, 'utf8')) : {};
      const { output, report } = run(input, options);
      const expectedFile = join(dir, 'expected.sh');
      const reportFile = join(dir, 'report.json');
      if (update) {
        writeFileSync(expectedFile, output);
        writeFileSync(reportFile, `${JSON.stringify(compactReport(report), null, 2)}\n`);
      }
      expect(output).toBe(readFileSync(expectedFile, 'utf8'));
      if (existsSync(reportFile)) expect(compactReport(report)).toEqual(JSON.parse(readFileSync(reportFile, 'utf8')));
      // Idempotence: the output migrates to itself.
      expect(run(output, options).output).toBe(output);
    });
  }
});
