// Join's checks of a control-plane endpoint the user gave: does it match the server discovery found,
// can it be reached over TLS trusting the cluster CA, and does the certificate it presents cover
// it. Only warnings: an HA endpoint may legitimately differ from cluster-info's. The network is
// injected (src/cluster/serving-certificate.ts on a real node), so this runs in unit tests.
import type { AltNames } from '../certs/sans.js';
import { ServingCertificateError } from '../cluster/serving-certificate.js';
import type { DiscoveredCluster } from '../tokens/discovery.js';
import { chooseJoinServer, endpointSANWarning, serverHost } from '../tokens/join-endpoint.js';
import type { Check } from './check.js';

/** Reads the SANs of the certificate `server` presents, trusting `caPem`; a ServingCertificateError when it cannot. */
export type FetchServingCertificate = (server: string, caPem: string) => Promise<AltNames>;

/** The name --ignore-preflight-errors knows this check by (kbadm's own; kubeadm has no such check). */
export const CONTROL_PLANE_ENDPOINT_CHECK = 'ControlPlaneEndpoint';

/**
 * The warnings about the endpoint `given` (none when it is unset or empty): a mismatch with the
 * discovered server, an endpoint whose certificate cannot be read or is not trusted, and one whose
 * certificate does not cover its host. Other failures (a bug, a bad URL) are thrown.
 */
export async function endpointPreflightWarnings(
  discovered: DiscoveredCluster,
  given: string | undefined,
  fetchCert: FetchServingCertificate,
): Promise<string[]> {
  if (given === undefined || given === '') return [];
  const { server, warnings } = chooseJoinServer(discovered, given);
  let sans: AltNames;
  try {
    sans = await fetchCert(server, discovered.caPem);
  } catch (err) {
    if (!(err instanceof ServingCertificateError)) throw err;
    return [...warnings, err.message];
  }
  const uncovered = endpointSANWarning(serverHost(server), sans);
  return uncovered === undefined ? warnings : [...warnings, uncovered];
}

/** The same as a preflight check, printed `[WARNING ControlPlaneEndpoint]: ...` by the runner. */
export function controlPlaneEndpointCheck(
  discovered: DiscoveredCluster,
  given: string | undefined,
  fetchCert: FetchServingCertificate,
): Check {
  return {
    name: CONTROL_PLANE_ENDPOINT_CHECK,
    async run() {
      if (given === undefined || given === '')
        return { warnings: [], errors: [], skipped: 'no control-plane endpoint was given' };
      return { warnings: await endpointPreflightWarnings(discovered, given, fetchCert), errors: [] };
    },
  };
}
