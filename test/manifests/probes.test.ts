// Probes of every static Pod against what kubeadm v1.34 writes (paths, hosts, the named port,
// timings), independent of the golden files so a wrong golden cannot hide a wrong probe.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { yamlLib } from '../../src/output/yaml.js';
import { GOLDEN_CASES, renderCase } from '../support/golden-cases.js';
import { loadConfigText } from '../support/manifests.js';
import { testInitData } from '../support/init-data.js';
import { CONTROL_PLANE_COMPONENTS } from '../../src/manifests/control-plane.js';
import { runControlPlaneComponent } from '../../src/phases/init/control-plane.js';

interface HTTPGet {
  host?: string;
  path: string;
  port: number | string;
  scheme: string;
}
interface ProbeDoc {
  httpGet: HTTPGet;
  initialDelaySeconds?: number;
  timeoutSeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}
interface ContainerDoc {
  ports?: { name: string; containerPort: number; protocol: string }[];
  livenessProbe?: ProbeDoc;
  readinessProbe?: ProbeDoc;
  startupProbe?: ProbeDoc;
}

function container(yaml: string | undefined): ContainerDoc {
  assert.ok(yaml, 'manifest rendered');
  return (yamlLib().parse(yaml) as { spec: { containers: ContainerDoc[] } }).spec.containers[0]!;
}

/** [liveness path, readiness path or null, startup path, host, container port, scheme]. */
const KUBEADM_134: Record<string, [string, string | null, string, string, number, string]> = {
  'kube-apiserver.yaml': ['/livez', '/readyz', '/livez', '192.168.0.10', 6443, 'HTTPS'],
  'kube-controller-manager.yaml': ['/healthz', null, '/healthz', '127.0.0.1', 10257, 'HTTPS'],
  'kube-scheduler.yaml': ['/livez', '/readyz', '/livez', '127.0.0.1', 10259, 'HTTPS'],
  'etcd.yaml': ['/livez', '/readyz', '/readyz', '127.0.0.1', 2381, 'HTTP'],
};

describe('static Pod probes as kubeadm v1.34 writes them', () => {
  test('paths, hosts, schemes and the named probe port of every component', async () => {
    const { files } = await renderCase(GOLDEN_CASES[0]!);
    for (const [file, [live, ready, startup, host, port, scheme]] of Object.entries(KUBEADM_134)) {
      const c = container(files.get(file));
      assert.deepEqual(c.ports, [{ containerPort: port, name: 'probe-port', protocol: 'TCP' }], file);
      const expectGet = (path: string): HTTPGet => ({ host, path, port: 'probe-port', scheme });
      assert.deepEqual(c.livenessProbe, {
        failureThreshold: 8,
        httpGet: expectGet(live),
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      });
      if (ready === null) assert.equal(c.readinessProbe, undefined, `${file}: no readiness probe`);
      else
        assert.deepEqual(c.readinessProbe, {
          failureThreshold: 3,
          httpGet: expectGet(ready),
          periodSeconds: 1,
          timeoutSeconds: 15,
        });
      assert.deepEqual(c.startupProbe, {
        failureThreshold: 24,
        httpGet: expectGet(startup),
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      });
    }
  });

  test('an unspecified bind address leaves the probe host empty (the kubelet probes the Pod IP)', async () => {
    const config = loadConfigText(`apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.0
controllerManager:
  extraArgs:
  - name: bind-address
    value: 0.0.0.0
scheduler:
  extraArgs:
  - name: bind-address
    value: "::"
`);
    const run = testInitData(config);
    for (const component of CONTROL_PLANE_COMPONENTS) await runControlPlaneComponent(run, component);
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const c = container(run.host.text(`/etc/kubernetes/manifests/${name}.yaml`));
      for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        if (p) assert.equal(p.httpGet.host, undefined, name);
      }
    }
  });
});
