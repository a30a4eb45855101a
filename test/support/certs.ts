// Shared fixtures for the PKI tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PkiInputs } from '../../src/certs/inputs.js';
import type { PkiFile } from '../../src/certs/tree.js';

export function inputs(overrides: Partial<PkiInputs> = {}): PkiInputs {
  return {
    nodeName: 'cp-1',
    advertiseAddress: '127.0.0.1',
    bindPort: 6443,
    serviceSubnet: '10.96.0.0/12',
    dnsDomain: 'cluster.local',
    controlPlaneEndpoint: '',
    apiServerCertSANs: [],
    etcd: { local: { serverCertSANs: [], peerCertSANs: [] } },
    encryptionAlgorithm: 'RSA-2048',
    certificateValidityPeriod: 8760 * 3600 * 1000,
    caCertificateValidityPeriod: 87600 * 3600 * 1000,
    kubernetesVersion: 'v1.34.0',
    certificatesDir: '/etc/kubernetes/pki',
    clusterName: 'kubernetes',
    ...overrides,
  };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFiles(dir: string, files: readonly PkiFile[]): void {
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data, { mode: f.mode });
  }
}

/** Runs openssl; returns stdout (throws with stderr on failure). */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
