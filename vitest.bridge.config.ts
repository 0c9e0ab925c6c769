import { defineConfig } from 'vitest/config';

/** The real-Bridge suite (`npm run test:bridge`): needs .venv-bridge (scripts/setup-bridge.sh). */
export default defineConfig({
  test: {
    include: ['test/bridge/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
