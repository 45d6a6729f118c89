import { defineConfig } from 'vitest/config';

// Two layers: `unit` is fast and needs no cluster (pure code, and fakes at the Kubernetes
// boundary: an in-memory ClusterClient, small loopback HTTP servers for the REST transport and
// the discovery cache); `e2e` runs against real kube-apiservers that
// test/harness/global-setup.ts builds (cached) and starts once per run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests are quick, but some generate RSA keys or run hundreds of property cases:
          // with sixteen test clusters applying on this 2-core machine, 19 of them passed 5 s
          // (vitest's default) once. A hang still fails, a slow machine no longer does.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/harness/global-setup.ts'],
          // A failing test prints the logs of the real istiods it ran against.
          setupFiles: ['test/harness/istiod/logs-on-failure.ts'],
          // The clusters are shared by every e2e file; files run one at a time so they do not
          // fight over the same istio-system namespaces.
          fileParallelism: false,
          // Generous: an apply on a loaded 2-core machine (RSA-4096 CA keys, istioctl renders) can take minutes.
          testTimeout: 420_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
