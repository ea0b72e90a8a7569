import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', '.santong/', '.test-tmp/', 'scratch/', 'coverage/', 'web/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        AbortSignal: 'readonly',
        Blob: 'readonly',
        Headers: 'readonly',
        NodeJS: 'readonly',
        document: 'readonly',
        window: 'readonly',
        localStorage: 'readonly',
      },
      // Type-aware rules: each file is checked with its own tsconfig (web/src with web/tsconfig.json);
      // the few config files outside both projects get a default one.
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'vitest.e2e.config.ts', 'bin/*.js', 'bench/*.mjs', 'web/*.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // React ignores what an event handler returns, and the console's handlers report their own
      // failures (useAction), so an async onClick is fine; everywhere else a promise passed as a
      // void callback is an error.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Tests read loosely-typed JSON answers from the API.
    files: ['**/*.test.ts', 'test/**/*.ts', 'web/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
