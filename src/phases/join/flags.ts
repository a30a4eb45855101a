// The join flags every phase that may run discovery exposes: any of them can be the first to reach
// the cluster, so each needs the discovery settings.
export const DISCOVERY_FLAGS = [
  'control-plane-endpoint',
  'discovery-file',
  'discovery-token',
  'discovery-token-ca-cert-hash',
  'discovery-token-unsafe-skip-ca-verification',
  'tls-bootstrap-token',
  'token',
];
