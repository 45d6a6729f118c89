// The trust directory as a TrustStore: store.ts's files (Istio's tools/certs layout), created
// exclusively and a cluster's four files at once. File-system failures (permissions, a file
// where a directory should be) become one diagnostic naming the directory.
import { join } from 'node:path';
import { DiagnosticsError, error } from '../diagnostics.js';
import type { SensitivePem } from './sensitive.js';
import { looseModeWarnings, pathExists, prepareDirectory, readClusterDir, readRootFiles, readRootKey, trustLayout, writeClusterDir, writeRoot, type TrustLayout } from './store.js';
import type { NewMaterial, StoredCluster, StoredTrust, TrustLocation, TrustStore } from './trust-store.js';

export class DirectoryTrustStore implements TrustStore {
  readonly location: TrustLocation;
  readonly settingsPath = 'trust.generated.directory';
  private readonly layout: TrustLayout;

  constructor(readonly directory: string) {
    this.location = { kind: 'directory', directory };
    this.layout = trustLayout(directory);
  }

  locate(entry: string): string {
    return join(this.directory, entry);
  }

  async read(clusters: readonly string[]): Promise<StoredTrust> {
    return this.fsErrors(async () => {
      const stored = new Map<string, StoredCluster>();
      if (!(await pathExists(this.directory))) {
        for (const c of clusters) stored.set(c, { state: 'absent' });
        return { exists: false, rootKeyExists: false, clusters: stored, diagnostics: [] };
      }
      for (const c of clusters) stored.set(c, await readClusterDir(this.layout, c));
      const files = await readRootFiles(this.layout);
      return {
        exists: true,
        ...(files.cert === undefined ? {} : { rootCert: files.cert }),
        rootKeyExists: files.keyExists,
        clusters: stored,
        diagnostics: await looseModeWarnings(this.directory, 'trust directory'),
      };
    });
  }

  async readRootKey(): Promise<SensitivePem | undefined> {
    return this.fsErrors(() => readRootKey(this.layout));
  }

  async add(material: NewMaterial): Promise<'added' | 'conflict'> {
    return this.fsErrors(async () => {
      // Its mode warnings were reported when it was read.
      await prepareDirectory(this.directory);
      try {
        if (material.root) await writeRoot(this.layout, material.root);
        for (const [cluster, contents] of material.clusters) await writeClusterDir(this.layout, cluster, contents);
      } catch (e) {
        // O_EXCL on a file, or a rename onto a cluster directory with content: someone else's.
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') return 'conflict';
        throw e;
      }
      return 'added';
    });
  }

  private async fsErrors<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof DiagnosticsError || !(e as NodeJS.ErrnoException).code) throw e;
      throw new DiagnosticsError([error('Cannot use trust directory', `meshctl could not read or write ${this.directory}: ${(e as Error).message}.`, { path: this.settingsPath })]);
    }
  }
}
