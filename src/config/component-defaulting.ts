// The kubelet and kube-proxy default their configuration when they start, then validate it. kbadm
// checks those values before anything is written (validation/component-configs.ts), so it checks
// them as the component will see them: defaulted the component's own way, on a copy. The written
// documents keep what the user wrote, as kubeadm's do; the component defaults them again itself.
//
// Covered: every defaulting rule of kubelet.config.k8s.io/v1beta1 and kubeproxy.config.k8s.io/
// v1alpha1 for a field kbadm validates. Some rewrite a value the user gave: kube-proxy appends its
// port to a healthzBindAddress (10256) or metricsBindAddress (10249) given without one, and a zero
// (which Go cannot tell from "not given") becomes the default for the kubelet's port, maxPods,
// maxOpenFiles, eventBurst, kubeAPIBurst and registryBurst and for kube-proxy's
// clientConnection.burst. The others fill fields left out (thresholds, QPS, modes, masquerade bits).
import { appendPortIfNeeded, parseIPSloppy } from './net.js';

type Obj = Record<string, unknown>;

const KUBELET_PORT = 10250;
const KUBE_PROXY_HEALTHZ_PORT = 10256;
const KUBE_PROXY_METRICS_PORT = 10249;
/** Both components run with this OOM score adjustment unless told otherwise. */
const COMPONENT_OOM_SCORE_ADJ = -999;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A nested object to default into; a value of another type is left for validation to report. */
function section(o: Obj, key: string): Obj | undefined {
  if (o[key] === undefined || o[key] === null) o[key] = {};
  return isObj(o[key]) ? o[key] : undefined;
}

/** A Go pointer field: only a missing value (nil) is defaulted. */
function ifMissing(o: Obj | undefined, key: string, value: unknown): void {
  if (o && (o[key] === undefined || o[key] === null)) o[key] = value;
}

/** A Go value field: its zero value, written or not, is defaulted. */
function ifZero(o: Obj | undefined, key: string, value: unknown): void {
  if (o && (o[key] === undefined || o[key] === null || o[key] === 0 || o[key] === '')) o[key] = value;
}

/** The kubelet's SetDefaults_KubeletConfiguration, for the fields kbadm validates. */
export function kubeletAsDefaulted(config: Obj): Obj {
  const c = structuredClone(config);
  ifZero(c, 'port', KUBELET_PORT);
  ifMissing(c, 'healthzPort', 10248);
  ifZero(c, 'hairpinMode', 'promiscuous-bridge');
  ifZero(c, 'cgroupDriver', 'cgroupfs');
  ifZero(section(c, 'authorization'), 'mode', 'Webhook');
  ifZero(c, 'topologyManagerPolicy', 'none');
  ifZero(c, 'topologyManagerScope', 'container');
  ifMissing(c, 'oomScoreAdj', COMPONENT_OOM_SCORE_ADJ);
  ifMissing(c, 'imageGCHighThresholdPercent', 85);
  ifMissing(c, 'imageGCLowThresholdPercent', 80);
  ifZero(c, 'maxPods', 110);
  ifZero(c, 'maxOpenFiles', 1000000);
  ifMissing(c, 'eventRecordQPS', 50);
  ifZero(c, 'eventBurst', 100);
  ifMissing(c, 'kubeAPIQPS', 50);
  ifZero(c, 'kubeAPIBurst', 100);
  ifMissing(c, 'registryPullQPS', 5);
  ifZero(c, 'registryBurst', 10);
  ifMissing(c, 'enforceNodeAllocatable', ['pods']);
  return c;
}

/** kube-proxy's SetDefaults_KubeProxyConfiguration, for the fields kbadm validates. */
export function kubeProxyAsDefaulted(config: Obj): Obj {
  const c = structuredClone(config);
  ifZero(c, 'bindAddress', '0.0.0.0');
  // Left out, the servers listen on the bind address's family: all addresses for health checks,
  // loopback for metrics.
  const v4 = typeof c.bindAddress === 'string' && parseIPSloppy(c.bindAddress)?.family === 4;
  const [healthzHost, metricsHost] = v4 ? ['0.0.0.0', '127.0.0.1'] : ['[::]', '[::1]'];
  c.healthzBindAddress = withPort(c.healthzBindAddress, healthzHost, KUBE_PROXY_HEALTHZ_PORT);
  c.metricsBindAddress = withPort(c.metricsBindAddress, metricsHost, KUBE_PROXY_METRICS_PORT);
  ifMissing(c, 'oomScoreAdj', COMPONENT_OOM_SCORE_ADJ);
  ifMissing(section(c, 'iptables'), 'masqueradeBit', 14);
  ifMissing(section(c, 'nftables'), 'masqueradeBit', 14);
  const conntrack = section(c, 'conntrack');
  ifMissing(conntrack, 'maxPerCore', 32 * 1024);
  ifMissing(conntrack, 'min', 128 * 1024);
  ifZero(section(c, 'clientConnection'), 'burst', 10);
  return c;
}

function withPort(given: unknown, defaultHost: string, port: number): unknown {
  if (given === undefined || given === null || given === '') return `${defaultHost}:${port}`;
  return typeof given === 'string' ? appendPortIfNeeded(given, port) : given;
}
