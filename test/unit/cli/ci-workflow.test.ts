// docs/ci/mesh.yml is the workflow users copy: every meshctl command line in its `run:` steps
// must be one meshctl accepts. Each is read out of the shell as bash would split it (line
// continuations, `$(...)`, `||`, pipes, redirections, quotes) and parsed by meshctl's own
// argument parser (parseOnly: the yargs instance main() runs, with handlers that do nothing),
// then by the command's typed options (durations, counts), as its handler would. A command or
// flag that does not exist, or a value of the wrong type, fails here instead of in a user's CI.
// The RBAC table of docs/ci.md is held to the Role it points at (examples/kubernetes-state/rbac.yaml).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { isDiagnosticsError } from '../../../src/diagnostics.js';
import { parseApplyOptions, parseForceUnlockOptions, parsePlanOptions, parseShowOptions, parseValidateOptions, parseVerifyOptions } from '../../../src/cli/options.js';
import { parseOnly } from '../../../src/cli/parse-only.js';

const root = resolve(import.meta.dirname, '../../..');
const workflowFile = join(root, 'docs/ci/mesh.yml');
const rbacFile = join(root, 'examples/kubernetes-state/rbac.yaml');

// ---------------------------------------------------------------------------------------------
// Reading simple commands out of a bash script: enough of bash for workflow steps. Words are
// split on blanks and operators outside quotes; `\` + newline joins lines; `$(...)` (bare or in
// double quotes) and `( ... )` contribute the commands inside them; `$VAR`/`${VAR}` expand from
// the step's env where known; redirections and their targets are dropped. Leading keywords
// (`if`, `then`, `!`, ...) and assignments (`code=$(...)`) are not the command.

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', '!', 'time', '{', '}']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Every simple command in `script`, as argv arrays, in order (commands inside `$(...)` first). */
function shellCommands(script: string, env: Readonly<Record<string, string>> = {}): string[][] {
  const commands: string[][] = [];
  let i = 0;
  const at = (s: string) => script.startsWith(s, i);

  const expand = (): string => {
    // At `$`. `${{ ... }}` is a GitHub expression, substituted before the shell runs.
    if (at('${{')) {
      const end = script.indexOf('}}', i);
      if (end < 0) throw new Error(`unclosed \${{ at ${i}`);
      i = end + 2;
      return 'EXPR';
    }
    if (at('$(')) {
      if (at('$((')) throw new Error(`arithmetic $(( at ${i}: not read by this test`);
      i += 2;
      list(true);
      return 'OUTPUT';
    }
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|([?#@*0-9$!-]))/.exec(script.slice(i));
    if (!m) {
      i++;
      return '$';
    }
    i += m[0].length;
    const name = m[1] ?? m[2];
    return name !== undefined && name in env ? env[name]! : m[0];
  };

  const word = (): string => {
    let w = '';
    while (i < script.length) {
      const c = script[i]!;
      if (c === '\\') {
        // `\` + newline joins lines; any other escaped character is itself.
        w += script[i + 1] === '\n' ? '' : (script[i + 1] ?? '');
        i += 2;
      } else if (c === "'") {
        const end = script.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unclosed ' at ${i}`);
        w += script.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < script.length && script[i] !== '"') {
          if (script[i] === '\\' && '"\\$`\n'.includes(script[i + 1] ?? '')) {
            w += script[i + 1] === '\n' ? '' : script[i + 1];
            i += 2;
          } else if (script[i] === '$') w += expand();
          else if (script[i] === '`') throw new Error(`backquote at ${i}: write $(...)`);
          else w += script[i++];
        }
        if (script[i] !== '"') throw new Error('unclosed "');
        i++;
      } else if (c === '$') w += expand();
      else if (c === '`') throw new Error(`backquote at ${i}: write $(...)`);
      else if (/[\s;&|()<>]/.test(c)) break;
      else w += script[i++];
    }
    return w;
  };

  const list = (nested: boolean): void => {
    let words: string[] = [];
    const end = () => {
      let k = 0;
      while (k < words.length && (KEYWORDS.has(words[k]!) || ASSIGNMENT.test(words[k]!))) k++;
      if (k < words.length) commands.push(words.slice(k));
      words = [];
    };
    while (i < script.length) {
      const c = script[i]!;
      if (c === '\\' && script[i + 1] === '\n') i += 2;
      else if (c === ' ' || c === '\t') i++;
      else if (c === '#' && (i === 0 || /[\s;&|(]/.test(script[i - 1]!))) {
        while (i < script.length && script[i] !== '\n') i++;
      } else if (at('&&') || at('||') || c === '\n' || c === ';' || c === '&' || c === '|') {
        end();
        i += at('&&') || at('||') ? 2 : 1;
      } else if (c === '(') {
        end();
        i++;
        list(true);
      } else if (c === ')') {
        if (!nested) throw new Error(`unmatched ) at ${i}`);
        i++;
        end();
        return;
      } else if (c === '<' || c === '>') {
        if (at('<<')) throw new Error(`here-document at ${i}: not read by this test`);
        i++;
        if (script[i] === '>' || script[i] === '&') i++;
        while (script[i] === ' ' || script[i] === '\t') i++;
        word(); // the redirection's target
      } else {
        const start = i;
        const w = word();
        // `2>&1`, `2>/dev/null`: the digits belong to the redirection.
        if (/^\d+$/.test(w) && (script[i] === '>' || script[i] === '<') && i - start === w.length) continue;
        words.push(w);
      }
    }
    if (nested) throw new Error('unclosed (');
    end();
  };

  list(false);
  return commands;
}

// ---------------------------------------------------------------------------------------------
// The workflow's meshctl command lines.

interface CommandLine {
  /** "plan: Plan" (job: step) */
  readonly where: string;
  /** The arguments after `meshctl`. */
  readonly argv: readonly string[];
}

type Env = Readonly<Record<string, string>>;
interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly env?: Env;
}
interface Workflow {
  readonly env?: Env;
  readonly jobs: Readonly<Record<string, { readonly env?: Env; readonly steps: readonly Step[] }>>;
}

function meshctlLines(workflow: Workflow): CommandLine[] {
  const out: CommandLine[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    job.steps.forEach((step, n) => {
      if (typeof step.run !== 'string') return;
      const env = { ...workflow.env, ...job.env, ...step.env };
      for (const words of shellCommands(step.run, env)) {
        if (words[0] === 'meshctl') out.push({ where: `${jobId}: ${step.name ?? `step ${n + 1}`}`, argv: words.slice(1) });
      }
    });
  }
  return out;
}

function readWorkflow(text: string): Workflow {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length || doc.warnings.length) throw new Error([...doc.errors, ...doc.warnings].map((e) => e.message).join('\n'));
  return doc.toJS() as Workflow;
}

/** What the handler of each command parses its flags with, before it reads anything. */
const TYPED_OPTIONS: Readonly<Record<string, (args: Record<string, unknown>) => unknown>> = {
  validate: parseValidateOptions,
  plan: parsePlanOptions,
  show: parseShowOptions,
  apply: parseApplyOptions,
  destroy: parseApplyOptions,
  verify: parseVerifyOptions,
  'force-unlock': parseForceUnlockOptions,
};

/** Why meshctl would refuse `meshctl <argv>`, or undefined when it would run it. */
async function refusal(argv: readonly string[]): Promise<string | undefined> {
  const r = await parseOnly(argv);
  if (r.kind === 'usage-error') return r.message;
  if (r.kind === 'output') return `prints help or its version instead of running a command: ${r.output.split('\n', 1)[0]}`;
  const typed = TYPED_OPTIONS[r.command[0] ?? ''];
  // A new command in the workflow needs its handler's option parser here too (state: parseStateOptions, once it is a command).
  if (!typed) return `this test does not know how meshctl ${r.command[0]} parses its options: add it to TYPED_OPTIONS`;
  try {
    typed({ ...r.args });
  } catch (e) {
    if (isDiagnosticsError(e)) return e.diagnostics.map((d) => `${d.summary}: ${d.detail}`).join('\n');
    throw e;
  }
  return undefined;
}

const workflowText = readFileSync(workflowFile, 'utf8');
const workflow = readWorkflow(workflowText);
const lines = meshctlLines(workflow);

describe('docs/ci/mesh.yml', () => {
  it('is YAML with the jobs docs/ci.md explains, one heading each', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['validate', 'plan', 'apply', 'verify']);
    const doc = readFileSync(join(root, 'docs/ci.md'), 'utf8');
    expect(doc).toContain('](ci/mesh.yml)');
    for (const job of Object.keys(workflow.jobs)) expect(doc).toContain(`\n### \`${job}\`\n`);
  });

  it('runs meshctl validate, plan, show, apply and verify', () => {
    expect(new Set(lines.map((l) => l.argv[0]))).toEqual(new Set(['validate', 'plan', 'show', 'apply', 'verify']));
  });

  it.each(lines.map((l) => [`${l.where}: meshctl ${l.argv.join(' ')}`, l] as const))('%s is a command line meshctl accepts', async (_, line) => {
    expect(await refusal(line.argv)).toBeUndefined();
  });

  it('does not copy the state in or out, nor use a concurrency group as the apply lock', () => {
    expect(workflowText).not.toMatch(/aws s3|meshctl\.state\.json|STATE_URL/);
    expect(workflow.jobs['apply']).not.toHaveProperty('concurrency');
  });
});

describe('the check finds what meshctl would refuse', () => {
  it('parseOnly refuses a flag meshctl does not have', async () => {
    expect(await parseOnly(['plan', '--no-such-flag'])).toEqual({ kind: 'usage-error', message: expect.stringContaining('such-flag') });
    expect(await refusal(['plan', '--no-such-flag'])).toContain('Unknown argument');
  });

  it('parseOnly returns the command and its flags, typed as yargs gives them to the handler', async () => {
    const r = await parseOnly(['plan', '--out', 'plan.json', '--detailed-exitcode']);
    expect(r).toMatchObject({ kind: 'command', command: ['plan'], args: { out: 'plan.json', 'detailed-exitcode': true, file: 'mesh.yaml' } });
    expect(await parseOnly(['--version'])).toEqual({ kind: 'output', output: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it.each([
    [['plann'], 'Did you mean plan?'],
    [['frobnicate'], 'Unknown argument: frobnicate'],
    [['show', '--format', 'markdown'], 'Not enough non-option arguments'],
    [['show', '--format', 'xml', 'plan.json'], 'Invalid values'],
    [['apply', '--lock-timeout'], 'Not enough arguments following: lock-timeout'],
    [['apply', '--lock-timeout', '5min', 'plan.json'], '--lock-timeout "5min" is not a duration'],
    [['apply', '--parallelism', 'many'], '--parallelism "many" is not a whole number'],
    [['verify', '--detailed-exitcode'], 'Unknown argument'],
  ])('meshctl %j is refused: %s', async (argv, why) => {
    expect(await refusal(argv)).toContain(why);
  });

  it('a workflow with a misspelt flag fails the check, naming the step', async () => {
    const wrong = meshctlLines(readWorkflow(workflowText.replace('meshctl apply --json --lock-timeout 5m', 'meshctl apply --json --lock-timeout=5m --auto-aprove')));
    const refused = (await Promise.all(wrong.map(async (l) => [l.where, await refusal(l.argv)] as const))).filter(([, why]) => why !== undefined);
    expect(refused).toEqual([['apply: Apply the reviewed plan', expect.stringContaining('auto-aprove')]]);
  });
});

describe('reading command lines out of a run: script', () => {
  it.each([
    ['meshctl plan --out plan.json --detailed-exitcode || code=$?', [['meshctl', 'plan', '--out', 'plan.json', '--detailed-exitcode']]],
    [
      'meshctl apply --json \\\n    --lock-timeout 5m plan.json \\\n  | tee apply.jsonl',
      [
        ['meshctl', 'apply', '--json', '--lock-timeout', '5m', 'plan.json'],
        ['tee', 'apply.jsonl'],
      ],
    ],
    [
      'code=$(meshctl show --json plan.json | jq .has_changes)',
      [
        ['meshctl', 'show', '--json', 'plan.json'],
        ['jq', '.has_changes'],
      ],
    ],
    [
      'echo "changes: $(meshctl show --json "$PLAN")" >> "$GITHUB_OUTPUT"',
      [
        ['meshctl', 'show', '--json', 'plan.json'],
        ['echo', 'changes: OUTPUT'],
      ],
    ],
    [
      'meshctl verify --json > verify.json 2>&1 && echo ok; meshctl validate # meshctl nothing',
      [
        ['meshctl', 'verify', '--json'],
        ['echo', 'ok'],
        ['meshctl', 'validate'],
      ],
    ],
    [
      "if ! meshctl validate -f 'my mesh.yaml'; then exit 1; fi",
      [
        ['meshctl', 'validate', '-f', 'my mesh.yaml'],
        ['exit', '1'],
      ],
    ],
    ['echo "run meshctl plan first"', [['echo', 'run meshctl plan first']]],
    ['X=1 meshctl plan --out "${PLAN}"', [['meshctl', 'plan', '--out', 'plan.json']]],
  ])('%j', (script, want) => {
    expect(shellCommands(script, { PLAN: 'plan.json' })).toEqual(want);
  });
});

describe("docs/ci.md's RBAC for the state namespace", () => {
  const docs = parseAllDocuments(readFileSync(rbacFile, 'utf8')).map((d) => {
    if (Array.isArray(d)) throw new Error(`${rbacFile}: an empty document`);
    expect([...d.errors, ...d.warnings]).toEqual([]);
    return d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  });
  const doc = readFileSync(join(root, 'docs/ci.md'), 'utf8');

  it('points at a Role and its RoleBinding in the state namespace, nothing cluster-wide', () => {
    expect(doc).toContain('](../examples/kubernetes-state/rbac.yaml)');
    expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding']);
    for (const d of docs) expect(d.metadata.namespace).toBe('meshctl-system');
  });

  it('lists the verbs the Role grants on secrets and leases, and only those', () => {
    const row = (resource: string) => {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${resource}\``));
      if (!line) throw new Error(`docs/ci.md has no table row for ${resource}`);
      return [...line.split('|')[2]!.matchAll(/`([a-z]+)`/g)].map((m) => m[1]);
    };
    const rules = docs[0]!.rules!;
    expect(rules.map((r) => r.resources)).toEqual([['secrets'], ['leases']]);
    expect(rules.map((r) => r.apiGroups)).toEqual([[''], ['coordination.k8s.io']]);
    expect(row('secrets')).toEqual(rules[0]!.verbs);
    expect(row('leases')).toEqual(rules[1]!.verbs);
  });
});
