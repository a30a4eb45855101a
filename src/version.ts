// kbadm's own version, which (like kubeadm's) is the Kubernetes release it installs by default.
// Kept in step with package.json by a test.

export const KBADM_VERSION = 'v1.34.0';

/** The Kubernetes version `kubernetesVersion` defaults to: kbadm's own. */
export const DEFAULT_KUBERNETES_VERSION = KBADM_VERSION;

/** The oldest control-plane minor kbadm can install or manage: its own minor minus one, as kubeadm. */
export const MINIMUM_CONTROL_PLANE_VERSION = 'v1.33.0';

/** Filled in at build time when the build knows its commit; empty otherwise. */
export const GIT_COMMIT = '';
