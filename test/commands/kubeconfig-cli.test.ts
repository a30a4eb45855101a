// `kbadm kubeconfig user` flag checks, through the whole CLI (exit codes included).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { config, current, decode, tempRoot, type Root } from '../support/e2e.js';
import { yamlLib } from '../../src/output/yaml.js';

describe('kubeconfig user --validity-period', () => {
  let root: Root;
  before(async () => {
    root = tempRoot(config('RSA-2048'));
    await root.kbadm(['init', 'phase', 'certs', 'ca', '--config', '/cfg.yaml']);
  });
  after(() => root.cleanup());

  const user = (validity: string) =>
    root.kbadm(
      [
        'kubeconfig',
        'user',
        '--config',
        '/cfg.yaml',
        '--client-name',
        'alice',
        '--validity-period',
        validity,
      ],
      { allowFailure: true },
    );

  for (const [validity, shown] of [
    ['0s', '0s'],
    ['-1h', '-1h0m0s'],
  ] as const) {
    test(`${validity}: a validation error naming the flag, exit 3, no kubeconfig`, async () => {
      const r = await user(validity);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`--validity-period: "${shown}": must be greater than zero`));
    });
  }

  test('a positive period still gives a certificate valid for that long', async () => {
    const r = await user('1h');
    assert.equal(r.code, 0, r.stderr);
    const cfg = yamlLib().parse(r.stdout);
    const pem = decode(current(cfg).user.user['client-certificate-data']);
    const hours = (new Date(new X509Certificate(pem).validTo).getTime() - Date.now()) / 3600e3;
    assert.ok(hours > 0.9 && hours <= 1, String(hours));
  });
});
