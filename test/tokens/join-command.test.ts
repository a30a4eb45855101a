import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointOf, joinCommand, singleLine, WITHHELD } from '../../src/tokens/join-command.js';

const HASH = `sha256:${'a'.repeat(64)}`;
const base = { endpoint: '10.0.0.5:6443', token: 'abcdef.0123456789abcdef', caCertHashes: [HASH] };

test('worker join command: kubeadm layout, a break and a tab before the CA pins', () => {
  assert.equal(
    joinCommand(base),
    `kbadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash ${HASH} `,
  );
});

test('control-plane join command carries --control-plane and the certificate key', () => {
  const key = 'f'.repeat(64);
  assert.equal(
    joinCommand({ ...base, controlPlane: true, certificateKey: key }),
    `kbadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash ${HASH} \\\n\t--control-plane --certificate-key ${key}`,
  );
  assert.match(joinCommand({ ...base, controlPlane: true }), /--control-plane $/);
});

test('every CA pin is listed; withheld values never show', () => {
  const two = joinCommand({ ...base, caCertHashes: [HASH, `sha256:${'b'.repeat(64)}`] });
  assert.equal(two.match(/--discovery-token-ca-cert-hash/g)?.length, 2);
  const hidden = joinCommand({
    ...base,
    controlPlane: true,
    certificateKey: 'f'.repeat(64),
    skipTokenPrint: true,
    skipCertificateKeyPrint: true,
  });
  assert.ok(!hidden.includes('abcdef.0123456789abcdef') && !hidden.includes('f'.repeat(64)));
  assert.equal(hidden.split(WITHHELD).length, 3);
});

test('single-line form and the endpoint from a server URL', () => {
  assert.equal(
    singleLine(joinCommand(base)),
    `kbadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${HASH} `,
  );
  assert.equal(endpointOf('https://cp.example.com:6443'), 'cp.example.com:6443');
  assert.equal(endpointOf('https://[fd00::1]:6443'), '[fd00::1]:6443');
});
