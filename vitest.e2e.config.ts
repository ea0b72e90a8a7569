import { defineConfig } from 'vitest/config';

/** Browser tests of the console (build it first: npx vite build --config web/vite.config.ts). */
export default defineConfig({
  test: {
    include: ['web/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
