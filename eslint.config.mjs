// The lint gate (`npm run lint`, run first by `npm test`). Formatting is Prettier's (`npm run format`);
// this file checks what a formatter cannot: likely bugs, the rules of hooks, and the layers of
// docs/ARCHITECTURE.md as import rules (a layer that imports what it must not fails here, not in review).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Engine runtime code: onnxruntime, the engine host and the decoders (types may still be imported). */
const ENGINE_RUNTIME = [
  '**/engine/runtime',
  '**/engine/runtime/**',
  '**/engine/host',
  '**/engine/host/**',
  'onnxruntime-node',
  'onnxruntime-*',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'release/**',
      '.cache/**',
      'artifacts/**',
      'renderer/dist/**',
      'test-results/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are errors, except deliberate ones spelled with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `any` is allowed only with a reason: the comment must disable this rule on that line.
      '@typescript-eslint/no-explicit-any': 'error',
      // Control characters in regular expressions are how the tokenizer and validators name them.
      'no-control-regex': 'off',
      // Empty catch blocks carry a comment saying why (eslint reports empty blocks without one).
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The renderer talks to the app only through the typed API (electron/api), never to its insides.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer runs in a browser page: no Electron.' }],
          patterns: [
            {
              group: [
                '**/electron/engine/**',
                '**/electron/services/**',
                '**/electron/main/**',
                '**/electron/web/**',
                '**/electron/cli/**',
                '**/electron/serve/**',
              ],
              message: 'The renderer talks to the app only through electron/api.',
            },
            { group: ['node:*', 'onnxruntime-*'], message: 'The renderer runs in a browser page: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'electron/engine/**/*.ts',
      'electron/services/**/*.ts',
      'electron/api/**/*.ts',
      'electron/serve/**/*.ts',
      'electron/cli/**/*.ts',
      'electron/web/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'Only electron/main and electron/preload import Electron; the rest runs in plain Node and is tested here.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine runs in plain Node: no Electron.' }],
          patterns: [
            {
              group: ['**/services/**', '**/services', '**/main/**', '**/web/**', '**/api/**', '**/cli/**'],
              message: 'The engine depends on nothing above it (services, api, hosts, CLI).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The API contract runs in the renderer too: no Electron.' }],
          patterns: [
            {
              group: ENGINE_RUNTIME,
              allowTypeImports: true,
              message:
                'The API contract is shared with the renderer: it may import engine types, never engine runtime code.',
            },
            {
              group: ['**/services/**', '**/main/**', '**/web/**', 'node:*'],
              allowTypeImports: true,
              message: 'The API contract is shared with the renderer: no services or Node modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // One writer renames temp files into place (random temp name, fsync of file and folder, Windows
    // retries): electron/common/fs/atomicWrite.ts. Everything else calls it.
    files: ['electron/**/*.ts'],
    ignores: ['electron/common/fs/atomicWrite.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['fs', 'fsp', 'promises'].flatMap((object) =>
          ['rename', 'renameSync'].map((property) => ({
            object,
            property,
            message: 'Use atomicWriteFile / commitTempFile from electron/common/fs.',
          })),
        ),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportSpecifier[imported.name=/^rename(Sync)?$/]',
          message: 'Use atomicWriteFile / commitTempFile from electron/common/fs.',
        },
        {
          selector: "MemberExpression[property.name='rename'][object.property.name='promises']",
          message: 'Use atomicWriteFile / commitTempFile from electron/common/fs.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'e2e/**/*.ts', 'scripts/**/*.{js,mjs,ts}', 'bin/**/*.mjs', '*.config.{ts,mjs,js}'],
    rules: {
      // Tests build hostile inputs and fakes; a cast through `any` there is the point of the test.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['e2e/**/*.ts'],
    rules: {
      // Playwright fixtures that use no other fixture are declared with an empty pattern: `async ({}, use) =>`.
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
