/** Import rules checked by `pnpm lint`: no cycles, and the package direction of docs/architecture.md. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles are not allowed', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'packages/core imports no Node built-in',
      from: { path: '^packages/core/src' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-no-other-package',
      severity: 'error',
      from: { path: '^packages/core/src' },
      to: { path: '^packages/(node-shell|sim|bench)/' },
    },
    {
      name: 'shell-and-sim-are-independent',
      severity: 'error',
      comment: 'the shell and the simulator are two independent drivers of the core',
      from: { path: '^packages/(node-shell|sim)/src' },
      to: { path: '^packages/(node-shell|sim|bench)/', pathNot: '^packages/$1/' },
    },
    {
      name: 'cbor-only-in-wire',
      severity: 'error',
      from: { path: '^packages/core/src', pathNot: '^packages/core/src/wire/' },
      to: { path: 'node_modules/cbor-x' },
    },
    {
      name: 'no-internal-imports-across-packages',
      severity: 'error',
      from: { path: '^packages/(node-shell|sim|bench)/src' },
      to: { path: '^packages/core/src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
