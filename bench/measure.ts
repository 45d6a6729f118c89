// Running one command and measuring it: wall time (from spawn to exit), peak resident memory of
// the largest process of its tree (GNU time's %M), every stdout line with its arrival time, and
// meshctl's MESHCTL_STATS line when it printed one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MeshctlStats {
  readonly requests: number;
  readonly perCluster: Record<string, number>;
  /** TLS connections opened (absent from results measured before HTTP/2). */
  readonly connections?: number;
  readonly wallMs: number;
  readonly maxRssKiB: number;
}

export interface Sample {
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout lines, each with the milliseconds since spawn at which it arrived. */
  readonly lines: ReadonlyArray<{ readonly t: number; readonly text: string }>;
  readonly stats?: MeshctlStats;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Exit codes that count as success (default [0]). */
  readonly ok?: readonly number[];
  /** Default 2 h: long enough for a many-cluster apply on a loaded machine (docs/benchmarks.md, (c)). */
  readonly timeoutMs?: number;
}

export async function timed(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'meshctl-bench-time-'));
  const timeFile = join(dir, 'time');
  const t0 = performance.now();
  // Its own process group, so a timeout kills the measured command too, not only GNU time.
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], {
    detached: true,
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const lines: Array<{ t: number; text: string }> = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    const t = performance.now() - t0;
    stdout += c;
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ t, text });
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), opts.timeoutMs ?? 2 * 3600_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  if (partial) lines.push({ t: wallMs, text: partial });
  const maxRssKiB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  rmSync(dir, { recursive: true, force: true });
  const statsLine = /^MESHCTL_STATS (.*)$/m.exec(stderr)?.[1];
  const sample: Sample = { wallMs, maxRssKiB, code, stdout, stderr, lines, ...(statsLine ? { stats: JSON.parse(statsLine) as MeshctlStats } : {}) };
  if (!(opts.ok ?? [0]).includes(code ?? -1)) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
  }
  return sample;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

export function summarize(xs: readonly number[]): Summary {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), runs: xs.map(r) };
}

/**
 * Runs `warmup` unmeasured rounds, then `runs` measured rounds; each round runs every contender
 * once, in an order that alternates between rounds, so load changes hit all of them alike.
 */
export async function alternate<K extends string>(
  contenders: Record<K, () => Promise<Sample>>,
  opts: { runs: number; warmup: number; between?: () => Promise<void>; log?: (s: string) => void },
): Promise<Record<K, Sample[]>> {
  const names = Object.keys(contenders) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as Sample[]])) as Record<K, Sample[]>;
  for (let round = 0; round < opts.warmup + opts.runs; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) {
      await opts.between?.();
      const s = await contenders[name]();
      opts.log?.(
        `  ${round < opts.warmup ? 'warm-up' : `run ${round - opts.warmup + 1}`} ${name}: ${(s.wallMs / 1000).toFixed(2)} s, ${Math.round(s.maxRssKiB / 1024)} MiB${s.stats ? `, ${s.stats.requests} requests` : ''}`,
      );
      if (round >= opts.warmup) out[name].push(s);
    }
  }
  return out;
}
