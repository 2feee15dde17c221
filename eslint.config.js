// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Node built-ins the pure core must never import (with or without the `node:` prefix). */
const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
]

const purityMessage = 'packages/core is pure: time, entropy and I/O come in as data (see docs/architecture.md)'

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', '**/dist/**', '**/node_modules/**', 'coverage/**', 'out/**', 'sim-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.flatMap((name) => [
          { name, message: purityMessage },
          { name: `node:${name}`, message: purityMessage },
        ]).concat([
          { name: 'cbor-x', message: 'only packages/core/src/wire may import cbor-x' },
        ]),
        patterns: [
          { group: ['node:*'], message: purityMessage },
          { group: ['@kademlia-ts/*'], message: 'core imports no other package of ours' },
        ],
      }],
      'no-restricted-globals': ['error',
        ...['process', 'Buffer', 'Date', 'performance', 'crypto', 'setTimeout', 'setInterval', 'setImmediate',
          'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'Promise', 'fetch', 'require',
          'globalThis', 'window', 'global'].map((name) => ({ name, message: purityMessage })),
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: purityMessage },
        { object: 'Date', property: 'now', message: purityMessage },
        { object: 'performance', property: 'now', message: purityMessage },
      ],
      'no-restricted-syntax': ['error',
        { selector: 'FunctionDeclaration[async=true]', message: purityMessage },
        { selector: 'FunctionExpression[async=true]', message: purityMessage },
        { selector: 'ArrowFunctionExpression[async=true]', message: purityMessage },
        { selector: 'AwaitExpression', message: purityMessage },
        { selector: 'ClassDeclaration', message: 'no classes in core: plain data and functions' },
        { selector: 'NewExpression[callee.name="Date"]', message: purityMessage },
      ],
    },
  },
  {
    // The wire module is the one place that may touch cbor-x.
    files: ['packages/core/src/wire/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: purityMessage },
          { group: ['@kademlia-ts/*'], message: 'core imports no other package of ours' },
        ],
      }],
    },
  },
)
