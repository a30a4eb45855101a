import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { configYaml, newHost, run } from '../support/phases.js';
import { clusterOf } from '../support/host-cli.js';
import { initDoneMessage } from '../../src/phases/init/show-join-command.js';

const CFG = ['--config', '/cfg.yaml'];
const SKIP = 'etcd,control-plane,kubelet-start,wait-control-plane';

/** The CA pin computed by openssl from the CA certificate init wrote. */
function opensslPin(caPem: string): string {
  const der = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: caPem });
  const spki = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: der });
  return `sha256:${execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: spki }).toString().trim().split(' ').pop()}`;
}

describe('init phase show-join-command', () => {
  test('the join command pins the CA that was written, with the config token and the API endpoint', async () => {
    const host = newHost(
      configYaml().replace(
        'kind: InitConfiguration\n',
        'kind: InitConfiguration\nbootstrapTokens:\n- token: abcdef.0123456789abcdef\n',
      ),
    );
    await run(host, 'init', ['phase', 'certs', 'all', ...CFG]);
    await run(host, 'init', ['phase', 'kubeconfig', 'admin', ...CFG]);
    const r = await run(host, 'init', ['phase', 'show-join-command', ...CFG]);
    const pin = opensslPin(host.text('/etc/kubernetes/pki/ca.crt'));
    assert.ok(
      r.stdout.endsWith(
        `kbadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash ${pin} \n\n`,
      ),
      r.stdout,
    );
    assert.doesNotMatch(
      r.stdout,
      /join any number of the control-plane/,
      'no control-plane block without an endpoint',
    );
  });

  test('--upload-certs: the control-plane join command carries the key the certificates were uploaded with', async () => {
    const key = 'b'.repeat(64);
    const host = newHost(
      configYaml({ controlPlaneEndpoint: 'cp.example.com:6443' }).replace(
        'kind: InitConfiguration\n',
        `kind: InitConfiguration\ncertificateKey: ${key}\n`,
      ),
    );
    const r = await run(host, 'init', [...CFG, '--upload-certs', '--skip-phases', SKIP]);
    assert.match(r.stdout, /\[upload-certs\] Using certificate key:\nb{64}\n/);
    assert.match(r.stdout, new RegExp(`\\\\\n\t--control-plane --certificate-key ${key}\n`));
    assert.match(r.stdout, /running the following command on each as root/);
    assert.ok(
      clusterOf(host)
        .stored('Secret')
        .some((s) => s.metadata.name === 'kubeadm-certs'),
    );
    const json = JSON.parse(
      (await run(host, 'init', [...CFG, '--upload-certs', '-o', 'json', '--skip-phases', SKIP])).stdout,
    );
    assert.equal(json.certificateKey, key);
  });

  test('--upload-certs with upload-certs skipped: nothing was uploaded, so no key and no two-hour note', async () => {
    const key = 'c'.repeat(64);
    const host = newHost(
      configYaml({ controlPlaneEndpoint: 'cp.example.com:6443' }).replace(
        'kind: InitConfiguration\n',
        `kind: InitConfiguration\ncertificateKey: ${key}\n`,
      ),
    );
    const skip = ['--skip-phases', `${SKIP},upload-certs`];
    const r = await run(host, 'init', [...CFG, '--upload-certs', ...skip]);
    assert.match(r.stdout, /by copying certificate authorities\nand service account keys on each node/);
    assert.doesNotMatch(r.stdout, /--certificate-key|uploaded|deleted after two hours/);
    assert.ok(!r.stdout.includes(key));
    assert.ok(
      !clusterOf(host)
        .stored('Secret')
        .some((s) => s.metadata.name === 'kubeadm-certs'),
    );
    const json = JSON.parse(
      (await run(host, 'init', [...CFG, '--upload-certs', '-o', 'json', ...skip])).stdout,
    );
    assert.equal('certificateKey' in json, false);
    assert.ok(!JSON.stringify(json).includes(key));
  });

  test('a dry run with --upload-certs shows the key it would upload the certificates with, and none when upload-certs is skipped', async () => {
    const key = 'd'.repeat(64);
    const host = newHost(
      configYaml({ controlPlaneEndpoint: 'cp.example.com:6443' }).replace(
        'kind: InitConfiguration\n',
        `kind: InitConfiguration\ncertificateKey: ${key}\n`,
      ),
    );
    const dry = [...CFG, '--dry-run', '--upload-certs', '-o', 'json'];
    const would = JSON.parse((await run(host, 'init', [...dry, '--skip-phases', SKIP])).stdout);
    assert.equal(would.certificateKey, key);
    const skipped = JSON.parse(
      (await run(host, 'init', [...dry, '--skip-phases', `${SKIP},upload-certs`])).stdout,
    );
    assert.equal('certificateKey' in skipped, false);
  });

  test('with a control-plane endpoint: the copy-the-CAs block, no certificate key, no upload-certs command', async () => {
    const key = 'a'.repeat(64);
    const host = newHost(
      configYaml({ controlPlaneEndpoint: 'cp.example.com:6443' }).replace(
        'kind: InitConfiguration\n',
        `kind: InitConfiguration\ncertificateKey: ${key}\n`,
      ),
    );
    const r = await run(host, 'init', [...CFG, '--skip-phases', SKIP]);
    assert.match(r.stdout, /by copying certificate authorities\nand service account keys on each node/);
    assert.match(r.stdout, /\\\n\t--control-plane \n/);
    assert.match(r.stdout, /kbadm join cp\.example\.com:6443 --token /);
    assert.doesNotMatch(r.stdout, /--certificate-key|upload-certs --upload-certs|uploaded/);
    assert.ok(!r.stdout.includes(key));

    const json = JSON.parse((await run(host, 'init', [...CFG, '-o', 'json', '--skip-phases', SKIP])).stdout);
    assert.equal('certificateKey' in json, false);
    assert.ok(!JSON.stringify(json).includes(key));
  });

  test('-o json prints one result object and no progress lines', async () => {
    const host = newHost(configYaml({ controlPlaneEndpoint: 'cp.example.com:6443' }));
    const r = await run(host, 'init', [
      ...CFG,
      '-o',
      'json',
      '--skip-phases',
      'etcd,control-plane,kubelet-start,wait-control-plane',
    ]);
    const result = JSON.parse(r.stdout);
    assert.equal(result.kind, 'InitResult');
    assert.equal(result.controlPlaneEndpoint, 'cp.example.com:6443');
    assert.equal(result.caCertHashes[0], opensslPin(host.text('/etc/kubernetes/pki/ca.crt')));
    assert.match(result.tokens[0].token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.equal(
      result.tokens[0].joinCommand,
      `kbadm join cp.example.com:6443 --token ${result.tokens[0].token} --discovery-token-ca-cert-hash ${result.caCertHashes[0]}`,
    );
    assert.match(result.tokens[0].controlPlaneJoinCommand, / --control-plane$/);
  });

  test('--skip-token-print withholds the token everywhere', async () => {
    const host = newHost();
    const r = await run(host, 'init', [
      ...CFG,
      '--skip-token-print',
      '--skip-phases',
      'etcd,control-plane,kubelet-start,wait-control-plane',
    ]);
    assert.match(r.stdout, /--token <value withheld> /);
    assert.doesNotMatch(r.stdout, /--token [a-z0-9]{6}\./);
  });

  test('an unknown -o format is refused before anything is written', async () => {
    const host = newHost();
    await assert.rejects(
      run(host, 'init', [...CFG, '-o', 'xml']),
      /--output: "xml": unsupported output format/,
    );
    assert.deepEqual(host.changes, []);
  });

  test('the message names the kubeconfig to copy', () => {
    const text = initDoneMessage({
      kubeconfigPath: '/etc/k8s/admin.conf',
      controlPlaneEndpoint: '',
      joinControlPlaneCommand: 'x',
      joinWorkerCommand: 'kbadm join w',
      certificatesUploaded: false,
    });
    assert.match(text, /sudo cp -i \/etc\/k8s\/admin.conf \$HOME\/.kube\/config/);
    assert.ok(text.endsWith('\nkbadm join w\n'));
  });

  test('with uploaded certificates the control-plane command carries the key and says how long it lasts', () => {
    const input = {
      kubeconfigPath: '/etc/kubernetes/admin.conf',
      controlPlaneEndpoint: 'lb:6443',
      joinControlPlaneCommand: 'kbadm join lb:6443 --control-plane --certificate-key k',
      joinWorkerCommand: 'kbadm join w',
    };
    const uploaded = initDoneMessage({ ...input, certificatesUploaded: true });
    assert.match(
      uploaded,
      /running the following command on each as root:\n\n {2}kbadm join lb:6443 --control-plane --certificate-key k\n/,
    );
    assert.match(uploaded, /kbadm init phase upload-certs --upload-certs/);
    assert.doesNotMatch(uploaded, /by copying certificate authorities/);
    const copied = initDoneMessage({ ...input, certificatesUploaded: false });
    assert.match(copied, /by copying certificate authorities/);
    assert.doesNotMatch(copied, /upload-certs/);
  });
});
