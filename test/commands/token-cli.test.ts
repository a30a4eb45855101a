// `kbadm token` end to end through main(), against the in-memory cluster: what is stored, what is
// printed, kubeadm's errors and exit codes, and list paging over many Secrets.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/cluster/types.js';
import { createWithCerts, serializeKubeconfig } from '../../src/kubeconfig/kubeconfig.js';
import { bootstrapTokenToSecret } from '../../src/tokens/bootstrap-secret.js';
import { runCli } from '../support/cli.js';
import { TestCluster } from '../support/memory-cluster.js';
import { PIN_A, PIN_CERT_A } from '../support/pin-certs.js';
import { tempDir } from '../support/temp.js';

// kubeadm's pubkeypin test certificate and its published pin.
const CA_PEM = PIN_CERT_A;
const CA_PIN = PIN_A;
const TOKEN = 'abcdef.0123456789abcdef';
const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

interface Env {
  root: string;
  cluster: TestCluster;
  kbadm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** A temporary --rootfs with admin.conf, and a fresh in-memory cluster behind `kbadm --rootfs`. */
function env(t: { after(fn: () => void): void }): Env {
  const root = tempDir(t, 'kbadm-token-');
  mkdirSync(join(root, 'etc/kubernetes'), { recursive: true });
  const admin = createWithCerts(
    'https://10.0.0.5:6443',
    'kubernetes',
    'kubernetes-admin',
    CA_PEM,
    'KEY',
    'CERT',
  );
  writeFileSync(join(root, 'etc/kubernetes/admin.conf'), serializeKubeconfig(admin), { mode: 0o600 });
  const cluster = new TestCluster();
  return {
    root,
    cluster,
    kbadm: (...args) => runCli(['--rootfs', root, ...args], { cluster: cluster.factory }),
  };
}

const tokenSecrets = (c: TestCluster) =>
  c.stored('Secret').filter((s) => s['type'] === 'bootstrap.kubernetes.io/token');

const decode = (s: KubeObject): Record<string, string> =>
  Object.fromEntries(
    Object.entries(s['data'] as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );

describe('token create', () => {
  test('a random token is stored and printed; list then shows it; delete removes it', async (t) => {
    const e = env(t);
    const created = await e.kbadm('token', 'create', '--description', 'for worker-3');
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, TOKEN_RE);
    const id = token.slice(0, 6);
    const [secret] = tokenSecrets(e.cluster);
    assert.equal(secret?.metadata.name, `bootstrap-token-${id}`);
    const data = decode(secret!);
    assert.equal(data['token-secret'], token.slice(7));
    assert.equal(data['description'], 'for worker-3');
    assert.equal(data['auth-extra-groups'], 'system:bootstrappers:kubeadm:default-node-token');
    const hoursLeft = (Date.parse(data['expiration']!) - Date.now()) / 3600e3;
    assert.ok(hoursLeft > 23.9 && hoursLeft <= 24, String(hoursLeft));
    assert.deepEqual(e.cluster.opened[0], {
      kubeconfigPath: join(e.root, 'etc/kubernetes/admin.conf'),
      options: { dryRun: false, out: e.cluster.opened[0]!.options.out },
    });
    assert.ok(e.cluster.closed >= 1, 'the client is closed');

    const listed = await e.kbadm('token', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.split('\n').filter(Boolean);
    assert.match(lines[0]!, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assert.match(
      lines[1]!,
      new RegExp(
        `^${token.replace('.', '\\.')}\\s+2[34]h\\s+${data['expiration']}\\s+authentication,signing\\s+for worker-3\\s+system:bootstrappers:kubeadm:default-node-token$`,
      ),
    );
    assert.equal(lines.length, 2);

    const deleted = await e.kbadm('token', 'delete', token);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `bootstrap token "${id}" deleted\n`);
    assert.deepEqual(tokenSecrets(e.cluster), []);
    assert.equal((await e.kbadm('token', 'list')).stdout, '');
  });

  test('a given token with --ttl 0, one usage and no groups: never expires, list shows <forever> and <never>', async (t) => {
    const e = env(t);
    const r = await e.kbadm('token', 'create', TOKEN, '--ttl', '0', '--usages', 'signing', '--groups', '');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${TOKEN}\n`);
    assert.deepEqual(decode(tokenSecrets(e.cluster)[0]!), {
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      'usage-bootstrap-signing': 'true',
    });
    const row = (await e.kbadm('token', 'list')).stdout.split('\n')[1]!;
    assert.deepEqual(row.split(/\s{2,}/), [TOKEN, '<forever>', '<never>', 'signing', '<none>', '<none>']);
  });

  test("an ID that exists already: kubeadm's error, nothing written", async (t) => {
    const e = env(t);
    e.cluster.seed(
      bootstrapTokenToSecret(
        { token: 'abcdef.ffffffffffffffff', description: '', ttl: 0, usages: ['signing'], groups: [] },
        new Date(),
      ),
    );
    const before = e.cluster.stored('Secret');
    const r = await e.kbadm('token', 'create', TOKEN);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^a token with id "abcdef" already exists\n/);
    assert.deepEqual(e.cluster.stored('Secret'), before);
    assert.ok(!e.cluster.requests.some((r) => r.verb === 'CREATE' || r.verb === 'UPDATE'));
  });

  test('a Secret that appears between the check and the write is overwritten, as kubeadm does', async (t) => {
    const e = env(t);
    const get = e.cluster.get.bind(e.cluster);
    e.cluster.get = async (ref) => {
      const found = await get(ref);
      e.cluster.seed(
        bootstrapTokenToSecret(
          { token: 'abcdef.ffffffffffffffff', description: '', ttl: 0, usages: [], groups: [] },
          new Date(),
        ),
      );
      return found as never;
    };
    const r = await e.kbadm('token', 'create', TOKEN);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(decode(tokenSecrets(e.cluster)[0]!)['token-secret'], '0123456789abcdef');
    assert.deepEqual(
      e.cluster.requests.map((r) => r.verb),
      ['GET', 'CREATE', 'UPDATE'],
    );
  });

  test('--print-join-command: one line with the endpoint and CA pin from --kubeconfig', async (t) => {
    const e = env(t);
    const worker = await e.kbadm('token', 'create', TOKEN, '--print-join-command');
    assert.equal(worker.code, 0, worker.stderr);
    assert.equal(
      worker.stdout,
      `kbadm join 10.0.0.5:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_PIN} \n`,
    );
    const key = 'f'.repeat(64);
    const cp = await e.kbadm(
      'token',
      'create',
      'bbbbbb.0123456789abcdef',
      '--print-join-command',
      '--certificate-key',
      key,
    );
    assert.equal(cp.code, 0, cp.stderr);
    assert.equal(
      cp.stdout,
      `kbadm join 10.0.0.5:6443 --token bbbbbb.0123456789abcdef --discovery-token-ca-cert-hash ${CA_PIN} --control-plane --certificate-key ${key}\n`,
    );
  });

  test('--print-join-command with an unreadable kubeconfig fails before a token is stored', async (t) => {
    const e = env(t);
    const r = await e.kbadm(
      'token',
      '--kubeconfig',
      '/nowhere.conf',
      'create',
      TOKEN,
      '--print-join-command',
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.split('\n')[0],
      'failed to get join command: failed to load kubeconfig: open /nowhere.conf: no such file or directory',
    );
    assert.deepEqual(e.cluster.stored('Secret'), []);
  });

  test('--kubeconfig is read under --rootfs and --dry-run reaches the client', async (t) => {
    const e = env(t);
    mkdirSync(join(e.root, 'srv'));
    writeFileSync(
      join(e.root, 'srv/other.conf'),
      serializeKubeconfig(createWithCerts('https://cp.example:6443', 'k', 'u', CA_PEM, 'K', 'C')),
    );
    const r = await e.kbadm(
      'token',
      '--dry-run',
      '--kubeconfig',
      '/srv/other.conf',
      'create',
      TOKEN,
      '--print-join-command',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^kbadm join cp\.example:6443 /);
    assert.equal(e.cluster.opened[0]!.kubeconfigPath, join(e.root, 'srv/other.conf'));
    assert.equal(e.cluster.opened[0]!.options.dryRun, true);
  });

  test("the parent flags also work after the subcommand, as kubeadm's persistent flags do", async (t) => {
    const e = env(t);
    const r = await e.kbadm('token', 'create', TOKEN, '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(e.cluster.opened[0]!.options.dryRun, true);
    const off = await e.kbadm(
      'token',
      'list',
      '--dry-run=false',
      '--kubeconfig',
      '/etc/kubernetes/admin.conf',
    );
    assert.equal(off.code, 0, off.stderr);
    assert.equal(e.cluster.opened[1]!.options.dryRun, false);
  });

  test('--certificate-key without --print-join-command fails before any request', async (t) => {
    const e = env(t);
    const r = await e.kbadm('token', 'create', '--certificate-key', 'f'.repeat(64));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^cannot use --certificate-key without --print-join-command\n/);
    assert.equal(e.cluster.opened.length, 0);
  });

  test('bad input: one line naming the argument or flag, exit 3, no request, no token echoed', async (t) => {
    const e = env(t);
    const badToken = await e.kbadm('token', 'create', 'abcdef.0123456789ABCDEF');
    assert.equal(badToken.code, 3);
    assert.equal(
      badToken.stderr.split('\n')[0],
      'token argument: the bootstrap token was not of the form "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z"',
    );
    assert.ok(!badToken.stderr.includes('0123456789ABCDEF'));
    const usages = await e.kbadm('token', 'create', '--usages', 'signing,bogus', '--groups', '');
    assert.equal(usages.code, 3);
    assert.match(
      usages.stderr,
      /^--usages: \["signing","bogus"\]: invalid bootstrap token usage string: bogus, valid usage options: signing,authentication\n/,
    );
    const groups = await e.kbadm('token', 'create', '--groups', 'system:masters');
    assert.equal(groups.code, 3);
    assert.match(groups.stderr, /bootstrap group "system:masters" is invalid/);
    const ttl = await e.kbadm('token', 'create', '--ttl', '-5m');
    assert.equal(ttl.code, 3);
    assert.match(ttl.stderr, /^--ttl: "-5m0s": must not be negative/);
    assert.equal(e.cluster.opened.length, 0);
    assert.deepEqual(e.cluster.stored('Secret'), []);
  });

  test('--config stores every token of the file and prints the first; other token flags may not be mixed in', async (t) => {
    const e = env(t);
    writeFileSync(
      join(e.root, 'tokens.yaml'),
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n' +
        '- token: aaaaaa.0123456789abcdef\n  description: first\n  ttl: 1h\n' +
        '- token: bbbbbb.0123456789abcdef\n  usages: [authentication]\n',
    );
    const r = await e.kbadm('token', 'create', '--config', '/tokens.yaml');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'aaaaaa.0123456789abcdef\n');
    const stored = tokenSecrets(e.cluster).map(decode);
    assert.deepEqual(
      stored.map((d) => [
        d['token-id'],
        d['description'],
        d['usage-bootstrap-signing'],
        d['usage-bootstrap-authentication'],
      ]),
      [
        ['aaaaaa', 'first', 'true', 'true'],
        ['bbbbbb', undefined, undefined, 'true'],
      ],
    );
    const mixed = await e.kbadm('token', 'create', '--config', '/tokens.yaml', '--ttl', '2h');
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /^can not mix '--config' with arguments \[ttl\]\n/);
  });
});

describe('token delete', () => {
  test('by ID and by full token, one line each', async (t) => {
    const e = env(t);
    for (const tok of [TOKEN, 'bbbbbb.0123456789abcdef', 'cccccc.0123456789abcdef']) {
      assert.equal((await e.kbadm('token', 'create', tok)).code, 0);
    }
    const r = await e.kbadm('token', 'delete', 'abcdef', 'bbbbbb.0123456789abcdef');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'bootstrap token "abcdef" deleted\nbootstrap token "bbbbbb" deleted\n');
    assert.deepEqual(
      tokenSecrets(e.cluster).map((s) => s.metadata.name),
      ['bootstrap-token-cccccc'],
    );
  });

  test("kubeadm's errors: no argument, a value of neither form, a token that does not exist", async (t) => {
    const e = env(t);
    const none = await e.kbadm('token', 'delete');
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr.split('\n')[0],
      `missing argument; 'token delete' is missing token of form "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z" or "\\\\A([a-z0-9]{6})\\\\z"`,
    );
    assert.equal((await e.kbadm('token', 'create', TOKEN)).code, 0);
    const bad = await e.kbadm('token', 'delete', 'abcdef', 'not-a-token');
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.split('\n')[0],
      `given token didn't match pattern "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z" or "\\\\A([a-z0-9]{6})\\\\z"`,
    );
    assert.equal(tokenSecrets(e.cluster).length, 1, 'nothing is deleted while an argument is bad');
    const missing = await e.kbadm('token', 'delete', 'zzzzzz');
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr.split('\n')[0],
      'failed to delete bootstrap token "zzzzzz": secrets "bootstrap-token-zzzzzz" not found',
    );
  });
});

describe('token list', () => {
  const seedTokens = (c: TestCluster, n: number) => {
    const now = new Date();
    for (let i = 0; i < n; i++) {
      const id = i.toString(36).padStart(6, '0');
      c.seed(
        bootstrapTokenToSecret(
          {
            token: `${id}.0123456789abcdef`,
            description: '',
            ttl: 3600_000,
            usages: ['authentication', 'signing'],
            groups: [],
          },
          now,
        ),
      );
    }
  };

  test('10,000 token Secrets are read in limit/continue pages and every one is listed', async (t) => {
    const e = env(t);
    seedTokens(e.cluster, 10_000);
    const r = await e.kbadm('token', 'list');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').filter(Boolean).slice(1);
    assert.equal(rows.length, 10_000);
    assert.equal(new Set(rows.map((l) => l.split(' ')[0])).size, 10_000);
    const pages = e.cluster.requests.filter((r) => r.verb === 'LIST');
    assert.ok(pages.length >= 10, `${pages.length} page requests`);
    assert.equal(pages[0]!.query?.continue, undefined);
    const tokens = pages.slice(1).map((p) => p.query?.continue);
    assert.ok(tokens.every((c) => typeof c === 'string' && c !== ''));
    assert.equal(new Set(tokens).size, tokens.length, 'each page asks from a new continue token');
    for (const p of pages) {
      assert.deepEqual(
        { ns: p.namespace, selector: p.query?.fieldSelector, kind: p.kind, limit: p.query?.limit },
        { ns: 'kube-system', selector: 'type=bootstrap.kubernetes.io/token', kind: 'Secret', limit: 500 },
      );
    }
  });

  test('-o json: one BootstrapToken object per token; -o yaml: documents split by ---', async (t) => {
    const e = env(t);
    assert.equal((await e.kbadm('token', 'create', TOKEN, '--description', 'one')).code, 0);
    assert.equal((await e.kbadm('token', 'create', 'bbbbbb.0123456789abcdef', '--ttl', '0')).code, 0);
    const r = await e.kbadm('token', 'list', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const objects = JSON.parse(`[${r.stdout.replace(/\n}\n{/g, '\n},\n{')}]`) as Record<string, unknown>[];
    assert.equal(objects.length, 2);
    assert.deepEqual(Object.keys(objects[0]!), [
      'kind',
      'apiVersion',
      'token',
      'description',
      'expires',
      'usages',
      'groups',
    ]);
    assert.deepEqual(objects[0]!['kind'], 'BootstrapToken');
    assert.deepEqual(objects[0]!['apiVersion'], 'output.kubeadm.k8s.io/v1alpha3');
    assert.deepEqual(
      objects.map((o) => [o['token'], o['expires'] === undefined]),
      [
        [TOKEN, false],
        ['bbbbbb.0123456789abcdef', true],
      ],
    );
    const yaml = await e.kbadm('token', 'list', '--output=yaml');
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.equal(yaml.stdout.split('\n---\n').length, 2);
    assert.match(yaml.stdout, /^apiVersion: output\.kubeadm\.k8s\.io\/v1alpha3\n/);
    const bad = await e.kbadm('token', 'list', '-o', 'wide');
    assert.equal(bad.code, 3);
  });

  test('Secrets without a usable token are reported on stderr and skipped; other Secrets are not looked at', async (t) => {
    const e = env(t);
    assert.equal((await e.kbadm('token', 'create', TOKEN)).code, 0);
    e.cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-broken', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      data: { 'token-id': Buffer.from('zzzzzz').toString('base64') },
    });
    e.cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'something-else', namespace: 'kube-system' },
      type: 'Opaque',
      data: {},
    });
    const r = await e.kbadm('token', 'list');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 2);
    assert.match(
      r.stderr,
      /bootstrap token name is not of the form 'bootstrap-token-\(token-id\)'\. Actual: "bootstrap-token-broken"/,
    );
    assert.ok(!r.stderr.includes('something-else'));
  });
});

test('token generate prints a fresh token and opens no cluster', async (t) => {
  const e = env(t);
  const a = await e.kbadm('token', 'generate');
  const b = await e.kbadm('token', 'generate');
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout.trim(), TOKEN_RE);
  assert.notEqual(a.stdout, b.stdout);
  assert.equal(e.cluster.opened.length, 0);
});
