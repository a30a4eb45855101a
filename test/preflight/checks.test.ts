// Each check's judge, a pure function of facts: the passing facts, the failing ones, and the
// exact names and texts kubeadm users and scripts match on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKubernetesVersion } from '../../src/config/k8s-version.js';
import {
  dirAvailable,
  fileAvailable,
  fileContent,
  fileExisting,
  inPath,
  judgeDirAvailable,
  judgeFileAvailable,
  judgeFileContent,
  judgeFileExisting,
  judgeInPath,
} from '../../src/preflight/file-checks.js';
import { judgeHTTPProxy, judgeHTTPProxyCIDR } from '../../src/preflight/network-checks.js';
import {
  judgeFirewalld,
  judgeHostname,
  judgeKubeletVersion,
  judgeKubernetesVersion,
  judgeMem,
  judgeNumCPU,
  judgePortOpen,
  judgePrivilegedUser,
  judgeService,
  judgeSwap,
  portOpen,
  serviceCheck,
} from '../../src/preflight/system-checks.js';
import { judgeSystem, parseProcCgroups } from '../../src/preflight/system-verification.js';

const ok = { warnings: [], errors: [] };
const error = (message: string) => ({ warnings: [], errors: [message] });
const warning = (...messages: string[]) => ({ warnings: messages, errors: [] });

describe('check names', () => {
  test('paths and executables name their checks with every / replaced by -', () => {
    assert.equal(
      fileAvailable('/etc/kubernetes/manifests/kube-apiserver.yaml').name,
      'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml',
    );
    assert.equal(dirAvailable('/var/lib/etcd').name, 'DirAvailable--var-lib-etcd');
    assert.equal(
      fileContent('/proc/sys/net/ipv4/ip_forward', '1').name,
      'FileContent--proc-sys-net-ipv4-ip_forward',
    );
    assert.equal(fileExisting('/etc/etcd/ca.crt').name, 'FileExisting--etc-etcd-ca.crt');
    assert.equal(
      fileExisting('/etc/etcd/ca.crt', 'ExternalEtcdClientCertificates').name,
      'ExternalEtcdClientCertificates',
    );
    assert.equal(inPath('nsenter', true).name, 'FileExisting-nsenter');
    assert.equal(portOpen(6443).name, 'Port-6443');
    assert.equal(serviceCheck('kubelet').name, 'Service-Kubelet');
  });
});

describe('file checks', () => {
  test('FileAvailable: only a missing path passes', () => {
    assert.deepEqual(judgeFileAvailable('/etc/kubernetes/manifests/etcd.yaml', 'missing'), ok);
    assert.deepEqual(
      judgeFileAvailable('/etc/kubernetes/manifests/etcd.yaml', 'file'),
      error('/etc/kubernetes/manifests/etcd.yaml already exists'),
    );
    assert.deepEqual(judgeFileAvailable('/x', 'dir'), error('/x already exists'));
  });

  test('DirAvailable: missing or empty passes, anything else does not', () => {
    assert.deepEqual(judgeDirAvailable('/var/lib/etcd', 'missing'), ok);
    assert.deepEqual(judgeDirAvailable('/var/lib/etcd', 'empty-dir'), ok);
    assert.deepEqual(judgeDirAvailable('/var/lib/etcd', 'dir'), error('/var/lib/etcd is not empty'));
    assert.deepEqual(judgeDirAvailable('/var/lib/etcd', 'file'), error('/var/lib/etcd is not empty'));
  });

  test('FileContent compares the first bytes only', () => {
    const f = '/proc/sys/net/ipv4/ip_forward';
    assert.deepEqual(judgeFileContent(f, '1', '1'), ok);
    assert.deepEqual(judgeFileContent(f, '1', '0'), error(`${f} contents are not set to 1`));
    assert.deepEqual(judgeFileContent(f, '1', ''), error(`${f} contents are not set to 1`));
    assert.deepEqual(judgeFileContent(f, '1', undefined), error(`${f} does not exist`));
  });

  test('FileExisting: a missing file is an error', () => {
    assert.deepEqual(judgeFileExisting('/etc/etcd/ca.crt', 'file'), ok);
    assert.deepEqual(
      judgeFileExisting('/etc/etcd/ca.crt', 'missing'),
      error("/etc/etcd/ca.crt doesn't exist"),
    );
  });

  test('executables: mandatory ones are errors when missing, optional ones warnings', () => {
    assert.deepEqual(judgeInPath('ip', true, '/usr/sbin/ip'), ok);
    assert.deepEqual(judgeInPath('ip', true, undefined), error('ip not found in system path'));
    assert.deepEqual(judgeInPath('socat', false, undefined), warning('socat not found in system path'));
  });
});

describe('machine checks', () => {
  test('IsPrivilegedUser', () => {
    assert.deepEqual(judgePrivilegedUser(0), ok);
    assert.deepEqual(judgePrivilegedUser(1000), error('user is not running as root'));
  });

  test('NumCPU and Mem', () => {
    assert.deepEqual(judgeNumCPU(2, 2), ok);
    assert.deepEqual(judgeNumCPU(1, 2), error('the number of available CPUs 1 is less than the required 2'));
    assert.deepEqual(judgeMem(1700 * 1024 * 1024, 1700), ok);
    assert.deepEqual(
      judgeMem(1024 * 1024 * 1024, 1700),
      error('the system RAM (1024 MB) is less than the minimum 1700 MB'),
    );
  });

  test('Swap warns when /proc/swaps lists an area, says nothing without the file', () => {
    const header = 'Filename\tType\tSize\tUsed\tPriority\n';
    assert.deepEqual(judgeSwap(header), ok);
    assert.deepEqual(judgeSwap(undefined), ok);
    const r = judgeSwap(`${header}/swapfile file 1048572 0 -2\n`);
    assert.equal(r.errors.length, 0);
    assert.match(
      r.warnings[0]!,
      /^swap is supported for cgroup v2 only\. The kubelet must be properly configured/,
    );
  });

  test('Port: free passes; in use is kubeadm’s text; another reason is named', () => {
    assert.deepEqual(judgePortOpen(6443, undefined), ok);
    assert.deepEqual(judgePortOpen(6443, 'EADDRINUSE'), error('Port 6443 is in use'));
    assert.deepEqual(judgePortOpen(443, 'EACCES'), error('Port 443 is in use (EACCES)'));
  });

  test('Hostname: an invalid name and a name that does not resolve are warnings', () => {
    assert.deepEqual(judgeHostname('cp-1', { addresses: ['10.0.0.5'] }), ok);
    assert.deepEqual(judgeHostname('cp-1', { error: 'getaddrinfo ENOTFOUND cp-1' }), {
      warnings: ['hostname "cp-1" could not be reached', 'hostname "cp-1": getaddrinfo ENOTFOUND cp-1'],
      errors: [],
    });
    const bad = judgeHostname('CP_1', { addresses: ['10.0.0.5'] });
    assert.equal(bad.errors.length, 0);
    assert.match(bad.warnings[0]!, /^invalid node name format "CP_1": a lowercase RFC 1123 subdomain/);
  });
});

describe('version checks', () => {
  const kbadm = parseKubernetesVersion('v1.34.0')!;
  test('KubernetesVersion: up to kbadm’s minor passes, a newer minor (even a pre-release) warns', () => {
    assert.deepEqual(judgeKubernetesVersion('v1.34.9', kbadm), ok);
    assert.deepEqual(judgeKubernetesVersion('v1.33.0', kbadm), ok);
    assert.deepEqual(
      judgeKubernetesVersion('v1.35.0-alpha.1', kbadm),
      warning(
        'Kubernetes version is greater than kubeadm version. Please consider to upgrade kubeadm. Kubernetes version: 1.35.0-alpha.1. Kubeadm version: 1.34.x',
      ),
    );
  });

  test('KubeletVersion: too old, newer than the control plane, unparsable, missing', () => {
    const min = parseKubernetesVersion('v1.31.0')!;
    assert.deepEqual(judgeKubeletVersion({ text: 'Kubernetes v1.34.1\n' }, 'v1.34.0', min), ok);
    assert.deepEqual(judgeKubeletVersion({ text: 'Kubernetes v1.33.2' }, '', min), ok);
    assert.deepEqual(
      judgeKubeletVersion({ text: 'Kubernetes v1.30.4' }, 'v1.34.0', min),
      error('Kubelet version "1.30.4" is lower than kubeadm can support. Please upgrade kubelet'),
    );
    assert.deepEqual(
      judgeKubeletVersion({ text: 'Kubernetes v1.35.0' }, 'v1.34.0', min),
      error(
        'the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "1.35.0" Control plane version: "1.34.0"',
      ),
    );
    assert.deepEqual(
      judgeKubeletVersion({ text: 'kubelet 1.34' }, 'v1.34.0', min),
      error("couldn't get kubelet version: Couldn't parse kubelet version kubelet 1.34"),
    );
    assert.deepEqual(
      judgeKubeletVersion({ error: 'not found' }, 'v1.34.0', min),
      error("couldn't get kubelet version: not found"),
    );
  });
});

describe('service checks', () => {
  const systemd = { initSystem: 'systemd' as const, exists: true, enabled: true, active: true };
  test('Service-Kubelet: warnings for a missing or disabled unit, nothing when enabled', () => {
    assert.deepEqual(judgeService('kubelet', systemd), ok);
    assert.deepEqual(
      judgeService('kubelet', { ...systemd, enabled: false }),
      warning("kubelet service is not enabled, please run 'systemctl enable kubelet.service'"),
    );
    assert.deepEqual(
      judgeService('kubelet', { ...systemd, initSystem: 'openrc', enabled: false }),
      warning("kubelet service is not enabled, please run 'rc-update add kubelet default'"),
    );
    assert.deepEqual(
      judgeService('kubelet', { ...systemd, exists: false }),
      warning('kubelet service does not exist'),
    );
    assert.deepEqual(
      judgeService('kubelet', { exists: false, enabled: false, active: false }),
      warning('no supported init system detected, skipping checking for services'),
    );
  });

  test('services are not judged where kbadm does not manage them (another --rootfs)', () => {
    const r = judgeService('kubelet', undefined);
    assert.deepEqual([r.warnings, r.errors], [[], []]);
    assert.match(r.skipped!, /--rootfs/);
    assert.match(judgeFirewalld([6443], undefined).skipped!, /--rootfs/);
  });

  test('Firewalld warns only when it runs', () => {
    assert.deepEqual(judgeFirewalld([6443, 10250], { ...systemd, active: false }), ok);
    assert.deepEqual(judgeFirewalld([6443, 10250], { ...systemd, exists: false }), ok);
    assert.deepEqual(
      judgeFirewalld([6443, 10250], systemd),
      warning(
        'firewalld is active, please ensure ports [6443 10250] are open or your cluster may not function correctly',
      ),
    );
  });
});

describe('proxy checks', () => {
  const env = { HTTPS_PROXY: 'proxy.example:3128' };
  test('HTTPProxy: a proxied API server address warns, NO_PROXY and no proxy pass', () => {
    assert.deepEqual(judgeHTTPProxy('10.0.0.5', {}), ok);
    assert.deepEqual(
      judgeHTTPProxy('10.0.0.5', env),
      warning(
        'Connection to "https://10.0.0.5" uses proxy "http://proxy.example:3128". If that is not intended, adjust your proxy settings',
      ),
    );
    assert.deepEqual(judgeHTTPProxy('10.0.0.5', { ...env, NO_PROXY: '10.0.0.0/8' }), ok);
    assert.match(
      judgeHTTPProxy('fd00::5', env).warnings[0]!,
      /^Connection to "https:\/\/\[fd00::5\]:1234" uses proxy/,
    );
  });

  test('HTTPProxyCIDR: the first address of the range decides; an empty range passes', () => {
    assert.deepEqual(judgeHTTPProxyCIDR('', env), ok);
    assert.deepEqual(judgeHTTPProxyCIDR('10.96.0.0/12', { ...env, no_proxy: '10.96.0.1' }), ok);
    assert.match(
      judgeHTTPProxyCIDR('10.96.0.0/12', env).warnings[0]!,
      /^connection to "10\.96\.0\.0\/12" uses proxy "http:\/\/proxy\.example:3128"\. This may lead to malfunctional cluster setup\./,
    );
    assert.deepEqual(judgeHTTPProxyCIDR('10.96.0.0/33', env), error('error parsing CIDR "10.96.0.0/33"'));
  });
});

describe('SystemVerification', () => {
  const v2 = { version: 2 as const, controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] };
  test('a supported kernel with cgroup v2 passes silently', () => {
    assert.deepEqual(judgeSystem({ os: 'Linux', kernelRelease: '6.1.0-18-amd64', cgroups: v2 }), ok);
    assert.deepEqual(judgeSystem({ os: 'Linux', kernelRelease: '5.15.0-91-generic', cgroups: v2 }), ok);
  });

  test('an old kernel fails and prints the report', () => {
    const r = judgeSystem({ os: 'Linux', kernelRelease: '4.19.0-26-amd64', cgroups: v2 });
    assert.deepEqual(r.errors, ['unsupported kernel release: 4.19.0-26-amd64']);
    assert.deepEqual(r.details!.slice(0, 3), [
      '[preflight] The system verification failed. Printing the output from the verification:',
      'KERNEL_VERSION: 4.19.0-26-amd64',
      'OS: Linux',
    ]);
    assert.ok(r.details!.includes('CGROUPS_MEMORY: enabled'));
  });

  test('cgroup v1 warns; a missing required controller is an error, a missing optional one a warning', () => {
    const v1 = parseProcCgroups(
      '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t1\t1\t1\n' +
        'devices\t4\t1\t1\nfreezer\t5\t1\t1\nmemory\t6\t1\t0\npids\t7\t1\t1\nhugetlb\t8\t1\t1\n',
    );
    assert.ok(!v1.includes('memory'), 'disabled subsystems are not available');
    const r = judgeSystem({ os: 'Linux', kernelRelease: '6.1.0', cgroups: { version: 1, controllers: v1 } });
    assert.deepEqual(r.errors, ['missing required cgroups: memory']);
    assert.deepEqual(r.warnings, [
      'cgroups v1 support is in maintenance mode, please migrate to cgroups v2',
      'missing optional cgroups: blkio',
    ]);
  });

  test('no cgroup files at all is an error', () => {
    const r = judgeSystem({
      os: 'Linux',
      kernelRelease: '6.1.0',
      cgroups: { version: 'none', error: 'nothing' },
    });
    assert.deepEqual(r.errors, ['cannot read the cgroup controllers: nothing']);
  });
});
