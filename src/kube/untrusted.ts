// The CI's switch for untrusted input (docs/security.md): MESHCTL_UNTRUSTED set by the job that
// plans pull requests from people who may not run code on the runner. Read from the
// environment, never from mesh.yaml, which is the untrusted part.
const yes = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

export function untrustedInput(env: NodeJS.ProcessEnv): boolean {
  return yes(env['MESHCTL_UNTRUSTED']);
}

/**
 * Exec credential plugins and auth providers run programs: with untrusted input only when the
 * CI says its own kubeconfig's plugins may run (MESHCTL_ALLOW_CREDENTIAL_PLUGINS).
 */
export function credentialPluginsAllowed(env: NodeJS.ProcessEnv): boolean {
  return !untrustedInput(env) || yes(env['MESHCTL_ALLOW_CREDENTIAL_PLUGINS']);
}
