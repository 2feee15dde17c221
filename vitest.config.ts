import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (pkg: string, file: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url))

// Tests run against the TypeScript sources, so `pnpm test:unit` needs no build first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@kademlia-ts\/core\/testing$/, replacement: src('core', 'testing/index.ts') },
      { find: /^@kademlia-ts\/core$/, replacement: src('core', 'index.ts') },
      { find: /^@kademlia-ts\/node-shell$/, replacement: src('node-shell', 'index.ts') },
      { find: /^@kademlia-ts\/sim$/, replacement: src('sim', 'index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
