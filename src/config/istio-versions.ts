// The Istio minor releases meshctl knows how to install. Behaviour is pinned per minor (the
// guides drift between releases, istio-multicluster.md §1.7), so a minor that is not in this
// table is refused up front rather than half-working at apply time.

export type IstioSupport = 'supported' | 'unsupported';

export interface IstioMinor {
  /** "1.31" */
  readonly minor: string;
  readonly support: IstioSupport;
  /** Why an unsupported minor is refused; shown to the user. */
  readonly note?: string;
}

/** Newest first. Add a row when a new minor is released and its guide has been checked. */
export const istioMinors: readonly IstioMinor[] = [
  { minor: '1.31', support: 'supported' },
  { minor: '1.30', support: 'supported' },
  { minor: '1.29', support: 'supported' },
  { minor: '1.28', support: 'unsupported', note: 'Istio 1.28 reached end of life on 2026-07-01.' },
];

export function supportedMinors(): string[] {
  return istioMinors.filter((m) => m.support === 'supported').map((m) => m.minor);
}

export type SemverTriple = readonly [number, number, number];

/** "1.31.0" or "1.31.0-rc.0" → [1, 31, 0]; undefined when the text is not a release version. */
export function parseIstioVersion(version: string): SemverTriple | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  return parts.every(Number.isSafeInteger) ? parts : undefined;
}

export type VersionVerdict = { readonly ok: true; readonly semver: SemverTriple } | { readonly ok: false; readonly reason: string };

/** Whether meshctl can install this version, and if not a sentence saying why. */
export function checkIstioVersion(version: string): VersionVerdict {
  const semver = parseIstioVersion(version);
  const supported = supportedMinors().join(', ');
  if (!semver) return { ok: false, reason: `"${version}" is not an Istio release version such as "1.31.0".` };
  const minor = `${semver[0]}.${semver[1]}`;
  const row = istioMinors.find((m) => m.minor === minor);
  if (row?.support === 'supported') return { ok: true, semver };
  if (row?.note) return { ok: false, reason: `${row.note} meshctl supports Istio ${supported}.` };
  const newest = istioMinors[0]!.minor.split('.').map(Number);
  const newer = semver[0] > newest[0]! || (semver[0] === newest[0] && semver[1] > newest[1]!);
  const why = newer ? `Istio ${minor} is newer than this meshctl release knows about` : `Istio ${minor} is no longer supported by meshctl`;
  return { ok: false, reason: `${why}; meshctl supports Istio ${supported}.` };
}
