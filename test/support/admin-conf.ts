// An admin.conf as init's kubeconfig phase leaves it, for phases that read it before talking to the
// API server. Its certificates are placeholders: these tests never open a TLS connection.
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** What admin.conf carries, decoded: the tests that hand these to health probes compare them. */
export const ADMIN_PEMS = { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' };

export const ADMIN_CONF = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64(ADMIN_PEMS.ca)}
    server: https://192.168.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${b64(ADMIN_PEMS.cert)}
    client-key-data: ${b64(ADMIN_PEMS.key)}
`;
