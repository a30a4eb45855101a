// The flags kubeadm's certs and kubeconfig phase subcommands expose (spec §7.2), for the tests
// that pin kbadm's to them.
export const CERT_PHASE_FLAGS = ['cert-dir', 'config', 'dry-run', 'kubernetes-version'];

export const APISERVER_SAN_FLAGS = [
  'apiserver-advertise-address',
  'apiserver-cert-extra-sans',
  'control-plane-endpoint',
  'service-cidr',
  'service-dns-domain',
];

export const KUBECONFIG_PHASE_FLAGS = [
  'apiserver-advertise-address',
  'apiserver-bind-port',
  'control-plane-endpoint',
  'cert-dir',
  'config',
  'kubeconfig-dir',
  'kubernetes-version',
  'dry-run',
];
