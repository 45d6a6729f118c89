// ESLint (flat config) for meshctl: typed linting of src/, test/, bench/ and scripts/, plus the
// plain JavaScript in bin/ and scripts/. Two kinds of rules:
//
//  1. A few typed rules that find bugs in code that type-checks (a switch missing a member of a
//     closed union, a promise nobody awaits), not style: Prettier owns layout (.prettierrc.json).
//  2. Import boundaries: the pipeline of docs/architecture.md (config → model → render → planner
//     ← observe; planner → views and executors → state; kube is the one port to clusters) as
//     `no-restricted-imports` per src/ folder. STAGES below is the table of allowed edges; an
//     edge not in it is an error naming the rule it breaks. A new folder under src/ must be added
//     to STAGES (an unknown `../name/` import is an error) so its place in the flow is decided.
//
// Run: `npm run lint` (ESLint, then `prettier --check`); `npm run format` fixes what is fixable.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig, globalIgnores } from 'eslint/config';

// ---------------------------------------------------------------------------------------------
// Import boundaries.
//
// Imports between src/ folders are relative (`../planner/plan.js`); each target below is a
// regular expression over the import specifier as written in a file of a src/<stage>/ folder.
// Stage folders are flat, so `../name/` is always the sibling stage `name`.

const up = String.raw`^(?:\.\./)+`;
/** One stage folder, whole. */
const folder = (name) => `${up}${name}/`;

/** Import targets. `kube` and `state` are split into their pure values and their I/O. */
const TARGETS = {
  diagnostics: `${up}diagnostics\\.js$`,
  version: `${up}version\\.js$`,
  cache: folder('cache'),
  cli: folder('cli'),
  config: folder('config'),
  executors: folder('executors'),
  fs: folder('fs'),
  model: folder('model'),
  observe: folder('observe'),
  planner: folder('planner'),
  render: folder('render'),
  trust: folder('trust'),
  views: folder('views'),
  verify: folder('verify'),
  // Values every stage may name: object addresses and refs, `Sensitive` digests.
  kube: `${up}kube/(?:object|sensitive)\\.js$`,
  // The port itself: ClusterClient, REST/HTTP2 transport, kubeconfig loading, discovery cache.
  'kube-io': `${up}kube/(?!(?:object|sensitive)\\.js$)`,
  // The state envelope as data: its types, parse and serialise.
  state: `${up}state/(?:state|read)\\.js$`,
  // The state file, its lock and the journal (I/O).
  'state-io': `${up}state/(?!(?:state|read)\\.js$)`,
};
const KNOWN_FOLDERS = ['cache', 'cli', 'config', 'executors', 'fs', 'kube', 'model', 'observe', 'planner', 'render', 'state', 'trust', 'verify', 'views'];

/** Node built-ins by what they reach. */
const builtin = (...mods) => `^(?:node:)?(?:${mods.join('|')})$`;
const NODE = {
  network: builtin('http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'dns/promises'),
  process: builtin('child_process', 'worker_threads', 'cluster'),
  files: builtin('fs', 'fs/promises'),
  terminal: builtin('readline', 'readline/promises', 'tty', 'repl'),
  environment: builtin('os', 'process', 'timers', 'timers/promises', 'perf_hooks', 'inspector', 'v8', 'vm'),
};

/** Heavy or single-purpose packages, each kept to the folder that owns it. */
const PACKAGES = [
  // 14 MB and ~1 s to import: only for exec-plugin and auth-provider kubeconfigs (kube/auth.ts).
  { regex: '^@kubernetes/client-node(?:/|$)', owner: 'kube', why: 'loaded only by src/kube for exec plugins and auth providers (14 MB, ~1 s to import)' },
  // Certificate issuance loads lazily for apply; the plan path reads DER itself (trust/extensions.ts).
  { regex: '^@peculiar/x509(?:/|$)', owner: 'trust', why: 'certificate issuance lives in src/trust and loads lazily; the plan path must not pull it in' },
  { regex: '^yargs(?:/|$)', owner: 'cli', why: "command-line parsing is src/cli's job" },
  { regex: '^ajv(?:/|$)', owner: 'config', why: "JSON Schema validation of mesh.yaml is src/config's job" },
];

/** devDependencies are not installed for users and not in the bundle: never imported by src/. */
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const devOnly = Object.keys(pkg.devDependencies ?? {}).filter((name) => !name.startsWith('@types/'));
const DEV_DEPENDENCIES = `^(?:${devOnly.map(escapeRegex).join('|')})(?:/|$)`;

/**
 * The allowed edges, taken from the imports in src/ and docs/architecture.md.
 * `allow`: targets it may import; `types`: targets it may import with `import type` only (it is
 * handed such values, never builds them); `node`: built-in groups it must not import; `pure`: no
 * ambient process state either (process, console, timers, the clock, Math.random).
 */
const STAGES = {
  cache: { allow: [], node: ['network', 'process', 'terminal'], why: 'src/cache only says where caches live' },
  config: { allow: ['diagnostics', 'fs'], node: ['network', 'process', 'terminal'], why: 'src/config reads mesh.yaml into a Topology and never reaches a cluster' },
  model: { allow: ['config', 'diagnostics', 'kube'], node: Object.keys(NODE), pure: true, why: 'src/model (buildDesired) is pure: no I/O' },
  render: {
    allow: ['cache', 'diagnostics', 'fs', 'kube', 'model'],
    node: ['network', 'terminal'],
    why: 'src/render renders and resolves units; it makes no planning decisions and never reaches a cluster',
  },
  observe: {
    allow: ['diagnostics', 'kube', 'model', 'state', 'trust'],
    types: ['kube-io'],
    node: ['network', 'process', 'files', 'terminal'],
    why: 'src/observe reads live state through the ClusterClient it is handed, and decides nothing',
  },
  planner: { allow: ['diagnostics', 'kube', 'model', 'state'], node: Object.keys(NODE), pure: true, why: 'src/planner is a pure function: no I/O, clock or printing' },
  executors: {
    allow: ['diagnostics', 'kube', 'model', 'planner', 'render'],
    types: ['kube-io', 'state-io'],
    node: ['network', 'process', 'files', 'terminal'],
    why: 'src/executors walk a plan through the ClusterClient and the journal they are handed, and decide nothing',
  },
  state: {
    allow: ['diagnostics', 'fs', 'kube', 'model'],
    node: ['network', 'process', 'terminal'],
    why: 'src/state is the state and its backends: a file, or Secrets and a Lease through an API caller it is handed; no mesh rules, no connections of its own',
  },
  kube: {
    allow: ['cache', 'diagnostics', 'fs'],
    node: ['process', 'terminal'],
    why: 'src/kube is the port to a cluster and holds no business rules (exec plugins are delegated to @kubernetes/client-node)',
  },
  trust: { allow: ['config', 'diagnostics', 'fs'], node: ['network', 'process', 'terminal'], why: 'src/trust issues and checks CAs and never reaches a cluster itself' },
  // verify judges what observe read (verify-facts.ts), as planner judges what it observed.
  verify: {
    allow: ['config', 'diagnostics', 'kube', 'model', 'trust'],
    types: ['observe'],
    node: ['network', 'process', 'files', 'terminal'],
    why: 'src/verify is a pure judgement of facts it is handed: no I/O',
  },
  views: {
    allow: ['diagnostics', 'kube', 'model', 'planner'],
    types: ['executors-events', 'verify'],
    node: Object.keys(NODE),
    pure: true,
    why: 'src/views turn data into text: no computing or fetching',
  },
  fs: { allow: [], node: ['network', 'process', 'terminal'], why: 'src/fs holds file utilities (atomic writes, bounded reads) below every stage' },
  // The wiring: may import every stage (but still no tests or devDependencies).
  cli: { allow: 'all', node: [], why: 'src/cli wires the stages' },
};
// The event vocabulary executors emit and views render (executors/events.ts), as types only.
TARGETS['executors-events'] = `${up}executors/events\\.js$`;

function boundaryRules(stage) {
  const s = STAGES[stage];
  const patterns = [];
  const dynamic = [];
  const deny = (regex, message, allowTypeImports = false) => {
    patterns.push({ regex, message, ...(allowTypeImports ? { allowTypeImports: true } : {}) });
    if (!allowTypeImports) dynamic.push({ regex, message });
  };
  if (s.allow !== 'all') {
    for (const t of Object.keys(TARGETS)) {
      if (t === stage || t === `${stage}-io` || (t === 'executors-events' && stage === 'executors')) continue;
      if (s.allow.includes(t)) continue;
      if (t === 'executors' && (s.types ?? []).includes('executors-events')) {
        // Only the event types; anything else in executors is still forbidden.
        deny(`${up}executors/(?!events\\.js$)`, `${s.why}; it may name executors/events.ts types only.`);
        deny(TARGETS['executors-events'], `${s.why}; executors/events.ts with \`import type\` only.`, true);
        continue;
      }
      if (t === 'executors-events') continue;
      const typesOnly = (s.types ?? []).includes(t);
      const what = t.endsWith('-io') ? `src/${t.slice(0, -3)}'s I/O modules` : /^(?:diagnostics|version)$/.test(t) ? `src/${t}.ts` : `src/${t}/`;
      deny(TARGETS[t], `${s.why}, so it does not import ${what}${typesOnly ? ' except with `import type`' : ''} (docs/architecture.md; edges: eslint.config.js STAGES).`, typesOnly);
    }
    deny(`${up}(?!(?:${[...KNOWN_FOLDERS, 'test'].join('|')})/)[^./][^/]*/`, 'Unknown src/ folder: add it to STAGES in eslint.config.js to place it in the pipeline.');
  }
  for (const group of s.node) deny(NODE[group], `${s.why} (no node ${group} modules here).`);
  for (const p of PACKAGES) if (p.owner !== stage && s.allow !== 'all') deny(p.regex, `${p.why}.`);
  deny(`${up}test/`, 'src/ never imports test code.');
  deny(DEV_DEPENDENCIES, 'A devDependency: not installed for users nor bundled; src/ imports runtime dependencies only.');
  return { patterns, dynamic, pure: s.pure === true, why: s.why };
}

/** no-restricted-imports does not see `import('…')`; the same patterns as selectors (`/` as \x2F). */
const dynamicImportSelectors = (dynamic) =>
  dynamic.map(({ regex, message }) => ({ selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`, message: `Dynamic import: ${message}` }));

/** Pure stages: no ambient process state (the "Never: I/O, clock, printing" column). */
const PURE_GLOBALS = ['process', 'console', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'performance'].map((name) => ({ name, message: 'This stage is pure: take it as an input instead.' }));
const PURE_PROPERTIES = [
  { object: 'Date', property: 'now', message: 'This stage is pure: take the time as an input.' },
  { object: 'Math', property: 'random', message: 'This stage is pure: take randomness as an input.' },
];
const PURE_SYNTAX = [{ selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'This stage is pure: take the time as an input.' }];

const boundaryConfigs = Object.keys(STAGES).map((stage) => {
  const b = boundaryRules(stage);
  return {
    name: `meshctl/boundaries/${stage}`,
    files: [`src/${stage}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: b.patterns }],
      'no-restricted-syntax': ['error', ...dynamicImportSelectors(b.dynamic), ...(b.pure ? PURE_SYNTAX : [])],
      ...(b.pure ? { 'no-restricted-globals': ['error', ...PURE_GLOBALS], 'no-restricted-properties': ['error', ...PURE_PROPERTIES] } : {}),
    },
  };
});

// src/diagnostics.ts, src/version.ts: values every stage shares, so they import no stage.
const rootPatterns = [
  { regex: String.raw`^\./[^/]+/`, message: 'src/*.ts holds values shared by every stage and imports none of them.' },
  { regex: `^(?:\\./|${up.slice(1)})test/`, message: 'src/ never imports test code.' },
  { regex: DEV_DEPENDENCIES, message: 'A devDependency: src/ imports runtime dependencies only.' },
  ...Object.keys(NODE).map((group) => ({ regex: NODE[group], message: `src/*.ts is pure: no node ${group} modules.` })),
];

// ---------------------------------------------------------------------------------------------

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'bench/results/',
    'test/**/golden/',
    'test/**/fixtures/',
    'test/unit/config/corpus/',
    // Generated by scripts/gen-schema-validator.ts (Ajv standalone code).
    'src/config/mesh-schema-validator.ts',
  ]),

  {
    name: 'meshctl/javascript',
    files: ['**/*.{ts,js,mjs}'],
    extends: [js.configs.recommended],
    // A directive for a rule not enabled here (no-explicit-any) still documents intent.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // TypeScript's noFallthroughCasesInSwitch checks this with control flow (a `fail()` returning
      // `never` ends a case); ESLint's rule does not know `never` and reports those cases.
      'no-fallthrough': 'off',
      // ANSI escapes are this CLI's business (colours, strip-ansi checks in tests).
      'no-control-regex': 'off',
      // Style only (`\/` in a regular expression is harmless).
      'no-useless-escape': 'off',
      // `==` coerces; `== null` (null or undefined) is the one idiom kept.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },

  {
    name: 'meshctl/typescript',
    files: ['**/*.ts'],
    extends: [tseslint.configs.base, tseslint.configs.eslintRecommended],
    languageOptions: {
      parserOptions: {
        // One program for sources, tests, bench and scripts, as `npm run typecheck` sees them.
        project: './tsconfig.test.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Style only (tseslint's eslint-recommended turns it on; it finds no bugs).
      'prefer-const': 'off',
      // Action, UnitKind, WaitFor, ApplyEvent... are closed unions: a switch over one must name
      // every member, so adding a member fails here (not only where an assertNever happens to
      // be). `default: return assertNever(x)` after all cases is fine; a `default` does not stand
      // in for missing members of a union.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { allowDefaultCaseForExhaustiveSwitch: true, considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
      // A promise nobody awaits loses its rejection (an apply step failing silently, a test
      // assertion `expect(...).rejects` that never runs).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a void one is expected (event handlers, forEach, if (promise)).
      '@typescript-eslint/no-misused-promises': 'error',
      // `await` on a non-promise is a wrong assumption about an API.
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch/finally: its rejection skips the catch, and finally runs
      // before it settles (a lock released while the write is still going).
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Errors carry stacks and the `DiagnosticsError` check; a thrown string or object has neither.
      '@typescript-eslint/only-throw-error': 'error',
      // for-in over an array walks string keys, not elements.
      '@typescript-eslint/no-for-in-array': 'error',
      // Dead code and forgotten imports; `_name` marks a deliberately unused one.
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The code already marks type-only imports (`import type`, `type X` inline): they are
      // erased, so a lazy chunk never loads a module for a type. `import('…').T` in a type stays allowed.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },

  {
    name: 'meshctl/src',
    files: ['src/**/*.ts'],
    rules: {
      // Output goes through the CLI's io (stdout/stderr given to each command), so tests capture it
      // and `--json` / NDJSON output stays parseable.
      'no-console': 'error',
    },
  },

  // Import boundaries, one block per stage folder (see STAGES above).
  ...boundaryConfigs,
  {
    name: 'meshctl/boundaries/root',
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: rootPatterns }],
      'no-restricted-syntax': ['error', ...dynamicImportSelectors(rootPatterns), ...PURE_SYNTAX],
    },
  },

  {
    name: 'meshctl/plain-js',
    files: ['**/*.{js,mjs}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // Node globals used by bin/ and scripts/ (no `globals` package needed for these few).
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
);
