// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/ with esbuild.
//
// Why: a Node CLI pays for every module file it loads before it reads a byte of mesh.yaml
// (docs/architecture.md, "How the CLI is built and started"). One file per entry point removes
// that cost. Code splitting keeps the lazy imports lazy: the plan views, the state journal and
// the certificate code load only for the commands that need them.
//
// Plain .mjs (not .ts through tsx) so the build step itself starts fast.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });

// Two modules are swapped for start-up speed; test/e2e/cli-bundle.test.ts checks that the
// bundled CLI prints exactly what src/ computes for the whole bad-input corpus.
const startupSwaps = {
  name: 'startup-swaps',
  setup(b) {
    // yargs (string-width 8.3) and cliui/wrap-ansi (7.2) import string-width; the lazy port in
    // src/cli/string-width.ts gives the same widths without building its tables at start-up.
    b.onResolve({ filter: /^string-width$/ }, () => ({ path: join(root, 'dist', 'cli', 'string-width.js') }));
    // yaml's package points Node at its CommonJS build. Bundled, every call between its modules
    // then goes through a module-object property (`identity.isMap(…)`), which the interpreter
    // runs slowly; its ESM build (same version, same code, no Node built-ins) is scope-hoisted
    // into direct calls (docs/benchmarks.md, "yaml's ESM build").
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(root, 'node_modules', 'yaml', 'browser', 'index.js') }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // client-node is only imported for exec-plugin and auth-provider kubeconfigs (src/kube/auth.ts);
  // bundling it would make the bundle many times larger for a path most runs never take. It
  // resolves from node_modules.
  external: ['@kubernetes/client-node'],
  // CommonJS dependencies (@peculiar/x509's tsyringe, yargs' helpers) call require() for Node
  // built-ins; an ESM bundle has no require of its own.
  banner: { js: "import { createRequire as __meshctlCreateRequire } from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);" },
  // Less source text is less for V8 to parse at every start; identifiers are kept so stack
  // traces of internal errors stay readable (the linked source maps lead back to src/).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Every chunk sits directly in dist/bundle/, two levels below the package root like
  // dist/config/read.js, so the schema lookup (new URL('../../schemas/…', import.meta.url)) finds
  // the same file from either.
  chunkNames: '[name]-[hash]',
  plugins: [startupSwaps],
  logLevel: 'warning',
  legalComments: 'linked',
});
