// Each kind's full rule set, in kubeadm's order (ValidateInitConfiguration, ...), with field paths
// prefixed by the kind that holds the field. The entry points in index.ts call these.
import type {
  ClusterConfiguration,
  InitConfig,
  InitConfiguration,
  JoinConfiguration,
  ResetConfiguration,
  UpgradeConfiguration,
} from '../model.js';
import { certValidityWarnings, validateCertValidityPeriods, validateEncryptionAlgorithm } from './certs.js';
import { validateKubeletConfiguration, validateKubeProxyConfiguration } from './component-configs.js';
import { kubeletAsDefaulted, kubeProxyAsDefaulted } from '../component-defaulting.js';
import { emptyFindings, invalid, merge, validateAbsolutePath, type Findings } from './common.js';
import {
  validateAPIServer,
  validateControlPlaneComponent,
  validateDNS,
  validateImageRepository,
} from './components.js';
import { validateDiscovery, type DiscoveryContext } from './discovery.js';
import {
  validateAPIEndpoint,
  validateCertificateKey,
  validateHostPort,
  validateJoinControlPlaneEndpoint,
} from './endpoint.js';
import { validateEtcd } from './etcd.js';
import {
  validateFeatureGates,
  validateKubernetesVersion,
  validatePatches,
  validateTimeouts,
  validateUnmountFlags,
} from './misc.js';
import { validateNetworking } from './networking.js';
import {
  validateIgnorePreflightErrorsField,
  validateImagePullPolicy,
  validateNodeRegistrationOptions,
  validateSocketPath,
} from './node-registration.js';
import { validateBootstrapTokens } from './tokens.js';

export type RuleContext = DiscoveryContext;

/** kubeadm's ValidateClusterConfiguration (component configs are validated by their own module). */
export function clusterRules(c: ClusterConfiguration, k = 'ClusterConfiguration'): Findings {
  const out = emptyFindings();
  merge(out, validateDNS(c.dns, `${k}.dns`));
  merge(out, validateNetworking(c, `${k}.networking`));
  merge(out, validateAPIServer(c.apiServer, `${k}.apiServer`));
  merge(out, validateControlPlaneComponent(c.controllerManager, `${k}.controllerManager`));
  merge(out, validateControlPlaneComponent(c.scheduler, `${k}.scheduler`));
  merge(out, validateAbsolutePath(c.certificatesDir, `${k}.certificatesDir`));
  merge(out, validateFeatureGates(c.featureGates, `${k}.featureGates`));
  merge(out, validateHostPort(c.controlPlaneEndpoint, `${k}.controlPlaneEndpoint`));
  merge(out, validateImageRepository(c.imageRepository, `${k}.imageRepository`));
  merge(out, validateEtcd(c.etcd, `${k}.etcd`));
  merge(out, validateEncryptionAlgorithm(c.encryptionAlgorithm, `${k}.encryptionAlgorithm`));
  merge(out, validateCertValidityPeriods(c, k));
  out.warnings.push(...certValidityWarnings(c));
  // Only the error: defaulting (normalizeKubernetesVersion) already warns about a newer version.
  merge(out, validateKubernetesVersion(c.kubernetesVersion, `${k}.kubernetesVersion`).errors);
  return out;
}

/**
 * kubeadm's ValidateInitConfiguration, in its order: node registration and tokens, then the
 * cluster (when given), then the node's API endpoint and certificate key.
 */
export function initRules(
  c: InitConfiguration,
  cluster?: ClusterConfiguration,
  k = 'InitConfiguration',
): Findings {
  const out = emptyFindings();
  merge(out, validateNodeRegistrationOptions(c.nodeRegistration, `${k}.nodeRegistration`));
  // An empty token is generated at run time, after the file has been checked.
  merge(out, validateBootstrapTokens(c.bootstrapTokens, `${k}.bootstrapTokens`, { allowEmptyToken: true }));
  if (cluster) merge(out, clusterRules(cluster));
  merge(out, validateAPIEndpoint(c.localAPIEndpoint, `${k}.localAPIEndpoint`));
  merge(out, validateCertificateKey(c.certificateKey, `${k}.certificateKey`));
  merge(out, validatePatches(c.patches, `${k}.patches`));
  merge(out, validateTimeouts(c.timeouts, `${k}.timeouts`));
  return out;
}

/**
 * kubeadm's ValidateInitConfiguration over an InitConfig (the init and cluster halves), then the
 * component configs' values (see component-configs.ts).
 */
export function initConfigRules(
  cfg: Pick<InitConfig, 'init' | 'cluster'> & Partial<Pick<InitConfig, 'componentConfigs'>>,
): Findings {
  const out = initRules(cfg.init, cfg.cluster);
  const { kubelet, kubeProxy } = cfg.componentConfigs ?? {};
  // Judged as the component will see them: after its own defaulting.
  if (kubelet) merge(out, validateKubeletConfiguration(kubeletAsDefaulted(kubelet.config)));
  if (kubeProxy) {
    const proxy = kubeProxyAsDefaulted(kubeProxy.config);
    merge(out, validateKubeProxyConfiguration(proxy, cfg.cluster.networking.podSubnet));
  }
  return out;
}

/** kubeadm's ValidateJoinConfiguration. */
export function joinRules(c: JoinConfiguration, ctx: RuleContext = {}, k = 'JoinConfiguration'): Findings {
  const out = emptyFindings();
  merge(out, validateDiscovery(c.discovery, `${k}.discovery`, ctx));
  merge(out, validateNodeRegistrationOptions(c.nodeRegistration, `${k}.nodeRegistration`));
  if (c.controlPlane) {
    merge(out, validateAPIEndpoint(c.controlPlane.localAPIEndpoint, `${k}.controlPlane.localAPIEndpoint`));
    merge(out, validateCertificateKey(c.controlPlane.certificateKey, `${k}.controlPlane.certificateKey`));
  }
  // kbadm's own field, so not in kubeadm's order; checked where it would sit in the document.
  if (c.controlPlaneEndpoint !== undefined) {
    merge(out, validateJoinControlPlaneEndpoint(c.controlPlaneEndpoint, `${k}.controlPlaneEndpoint`));
  }
  if (!c.caCertPath.startsWith('/') || !c.caCertPath.endsWith('.crt')) {
    out.errors.push(
      invalid(`${k}.caCertPath`, c.caCertPath, 'the ca certificate path must be an absolute path'),
    );
  }
  merge(out, validatePatches(c.patches, `${k}.patches`));
  merge(out, validateTimeouts(c.timeouts, `${k}.timeouts`));
  return out;
}

/** kubeadm's ValidateResetConfiguration. */
export function resetRules(c: ResetConfiguration, k = 'ResetConfiguration'): Findings {
  const out = emptyFindings();
  merge(out, validateSocketPath(c.criSocket, `${k}.criSocket`));
  merge(out, validateAbsolutePath(c.certificatesDir, `${k}.certificatesDir`));
  merge(out, validateUnmountFlags(c.unmountFlags, `${k}.unmountFlags`));
  merge(out, validateIgnorePreflightErrorsField(c.ignorePreflightErrors, `${k}.ignorePreflightErrors`));
  merge(out, validateTimeouts(c.timeouts, `${k}.timeouts`));
  return out;
}

/** kubeadm's ValidateUpgradeConfiguration. */
export function upgradeRules(c: UpgradeConfiguration, k = 'UpgradeConfiguration'): Findings {
  const out = emptyFindings();
  merge(out, validatePatches(c.apply.patches, `${k}.apply.patches`));
  merge(out, validatePatches(c.node.patches, `${k}.node.patches`));
  merge(out, validateImagePullPolicy(c.apply.imagePullPolicy, `${k}.apply.imagePullPolicy`));
  merge(out, validateImagePullPolicy(c.node.imagePullPolicy, `${k}.node.imagePullPolicy`));
  for (const s of ['apply', 'node', 'plan'] as const) {
    merge(
      out,
      validateIgnorePreflightErrorsField(c[s].ignorePreflightErrors, `${k}.${s}.ignorePreflightErrors`),
    );
  }
  merge(out, validateTimeouts(c.timeouts, `${k}.timeouts`));
  return out;
}
