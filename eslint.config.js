// Lint for what the type checker does not catch: promises nobody awaits (an activity call or a signal
// whose failure would vanish), and workflow code that reaches for I/O. Type-aware rules use the
// project's tsconfig; formatting is Prettier's job (eslint-config-prettier turns style rules off).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules a workflow must not import: Temporal's sandbox replays workflow code, so it may do no I/O. */
const NOT_IN_WORKFLOWS = [
  { group: ['node:*'], message: 'Workflow code runs in a deterministic sandbox: do I/O in an activity (temporal/activities/).' },
  ...['fs', 'path', 'http', 'https', 'net', 'crypto', 'os', 'child_process', 'timers', 'dns', 'stream', 'url', 'worker_threads'].map((name) => ({
    group: [name, `${name}/*`],
    message: 'Workflow code runs in a deterministic sandbox: do I/O in an activity (temporal/activities/).',
  })),
  {
    group: ['axios', 'express', 'pino', 'dotenv', 'nanoid', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    message: 'Not in workflow code: it would do I/O or is not deterministic.',
  },
  {
    // activities/types.ts holds their interfaces and the table of which service each calls: no code that runs.
    group: ['**/activities/*', '!**/activities/types.ts'],
    allowTypeImports: true,
    message: 'Import activities as types only (proxyActivities<ServerAActivities>), never their code.',
  },
];

/** Every module workflow code imports, followed from the bundle's entry points wherever it lives (type-only and
 *  side-effect imports too), and every file in temporal/workflows/: all of it is held to the sandbox's rules. */
function workflowModules(...entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, path] of readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.\.?\/[^']+)'/g)) visit(join(dirname(file), path));
  };
  for (const entry of entries) visit(join(import.meta.dirname, entry));
  return ['temporal/workflows/**/*.ts', ...[...seen].map((file) => relative(import.meta.dirname, file))];
}

export default tseslint.config(
  { ignores: ['node_modules/', 'test/histories/', '.temporal/', '.data/', '.build/', 'results/', 'test/.bundle-check-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The failure converter is loaded by path into the sandbox when payloads are encrypted (codec/data-converter.ts).
    files: workflowModules('temporal/workflows/index.ts', 'temporal/workflows/interceptors.ts', 'temporal/codec/failure-converter.ts'),
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: NOT_IN_WORKFLOWS }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Not in workflow code: configuration reaches a workflow through its input.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow: a durable timer.' },
        { name: 'setInterval', message: 'Use a loop with sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'Do HTTP in an activity.' },
      ],
    },
  },
  {
    // Every patch is asked in one place, so its table of workflow types and the replay corpus's check see them all.
    files: ['temporal/**/*.ts'],
    ignores: ['temporal/workflows/patches.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          name: '@temporalio/workflow',
          importNames: ['patched', 'deprecatePatch'],
          message: 'Ask a patch through takesPatch() in temporal/workflows/patches.ts.',
        },
      ],
    },
  },
  // The console's scripts run in the browser (its globals, not Node's); from the server they take types only.
  {
    files: ['api/console/assets/**/*.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '!./*'], allowTypeImports: true, message: 'The browser loads only the console’s own scripts: import types from the server.' },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
