// Renewing one certificate on the node (a PKI pair or the client certificate in a kubeconfig
// file): `certs renew` and the control-plane phase of `upgrade apply` share it.
import { caExternallyManaged, type PkiStore } from '../certs/pki-files.js';
import { renewCertificate, type RenewableCert } from '../certs/renewal.js';
import { caBaseName, CERT_FILE_MODE, KEY_FILE_MODE } from '../certs/specs.js';
import type { ClusterConfiguration } from '../config/model.js';
import { KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { KubeconfigStore } from '../kubeconfig/kubeconfig-files.js';
import { renewKubeconfig } from '../kubeconfig/specs.js';

export interface RenewalEnv {
  host: Host;
  cluster: Pick<ClusterConfiguration, 'encryptionAlgorithm' | 'certificateValidityPeriod'>;
  pki: PkiStore;
  kubeconfigs: KubeconfigStore;
  now: Date;
}

/** `missing`: nothing to renew; `external`: its CA's key is not here, so it cannot be re-signed. */
export type RenewalOutcome = 'renewed' | 'missing' | 'external';

export async function renewCertificateFiles(e: RenewalEnv, r: RenewableCert): Promise<RenewalOutcome> {
  const opts = {
    algorithm: e.cluster.encryptionAlgorithm,
    now: e.now,
    validityMs: e.cluster.certificateValidityPeriod,
  };
  const exists =
    r.baseName !== undefined
      ? await e.pki.exists(`${r.baseName}.crt`)
      : await e.host.exists(e.kubeconfigs.path(r.kubeconfigFile!));
  if (!exists) return 'missing';
  if (await caExternallyManaged(e.pki, caBaseName(r))) return 'external';
  const ca = await e.pki.certAndKey(caBaseName(r));
  if (r.baseName !== undefined) {
    const old = await e.pki.cert(r.baseName);
    if (old.state !== 'ok')
      throw new KbadmError(old.state === 'invalid' ? old.error : `${r.baseName} is missing`);
    const renewed = await renewCertificate(old.value, ca, opts);
    // One unit: the new key never sits next to the old certificate once the next run has started.
    await e.pki.write(
      [
        { path: `${r.baseName}.key`, mode: KEY_FILE_MODE, data: renewed.key.toPem() },
        { path: `${r.baseName}.crt`, mode: CERT_FILE_MODE, data: renewed.cert.pem },
      ],
      { replace: true },
    );
  } else {
    const file = r.kubeconfigFile!;
    const cfg = await e.kubeconfigs.read(file);
    if (!cfg) throw new KbadmError(`${e.kubeconfigs.shown(file)} is missing`);
    await e.kubeconfigs.write(file, await renewKubeconfig(cfg, ca, opts, e.kubeconfigs.shown(file)));
  }
  return 'renewed';
}
