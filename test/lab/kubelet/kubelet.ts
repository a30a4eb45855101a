// The simulated kubelet of a lab node: the one stand-in for the kubelet. It runs every static Pod
// manifest under the node's manifests directory as real Pod sandboxes and containers through CRI,
// restarts a Pod when its manifest changes, removes it when the file goes, restarts exited
// containers; serves healthz; with kubelet.conf registers its Node, keeps it Ready and keeps mirror
// Pods carrying kubernetes.io/config.hash, and runs the Pods the scheduler bound to its Node
// (api-pod.ts) under their restart policy, reporting their phase and containers' exit codes; with
// only bootstrap-kubelet.conf it first performs the TLS bootstrap. It refuses to start on
// configuration the kubelet would refuse.
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as path from 'node:path';
import type { RuntimeForLab } from '../../../src/host/runtime.js';
import { clientFromKubeconfig, KubeError, type KubeClient } from '../kube-client.js';
import { resolveInNode } from '../node-paths.js';
import { kubeletSettings, KubeletStartError, swapDevices, type KubeletSettings } from './kubelet-config.js';
import {
  mirrorPod,
  mirrorPodStatus,
  mirrorStatusCurrent,
  staticPodFromManifest,
  type StaticPod,
} from './static-pod.js';
import { tlsBootstrap } from './tls-bootstrap.js';
import {
  apiPodSpecs,
  PodConfigError,
  podPhase,
  podStatus,
  type ApiPodSpecs,
  type ContainerReport,
} from './api-pod.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A Pod from the API server that this kubelet runs, and what it last reported of it. */
interface ApiRun {
  pod: Obj;
  specs?: ApiPodSpecs;
  sandboxId?: string;
  containerIds: (string | undefined)[];
  reports: ContainerReport[];
  pullFailures: number;
  nextPull: number;
  nextRestart: number[];
  startTime: string;
  terminal: boolean;
  reported?: string;
}

export interface KubeletOptions {
  /** The node's `/` on the machine. */
  root: string;
  nodeName: string;
  /** The node's address (InternalIP). */
  address: string;
  /** Connects to the node's CRI runtime (the endpoint is the one the kubelet's flags name, under the root). */
  connect(endpoint: string): Promise<RuntimeForLab>;
  version?: string;
  log?: (line: string) => void;
  intervalMs?: number;
}

interface Running {
  pod: StaticPod;
  sandboxId: string;
  containerIds: string[];
  restarts: number[];
  nextRestart: number[];
  error?: string;
}

export class SimulatedKubelet {
  private settings!: KubeletSettings;
  /** The Node's name: --hostname-override when kubeadm-flags.env sets it, else the name given. */
  private nodeName = '';
  private runtime!: RuntimeForLab;
  private readonly running = new Map<string, Running>();
  /** Pods bound to this node through the API, by uid. */
  private readonly apiPods = new Map<string, ApiRun>();
  private healthz?: http.Server;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private client?: KubeClient;
  private nodeUID?: string;
  private bootstrapping?: Promise<void>;
  private lastHeartbeat = 0;
  readonly errors: string[] = [];

  constructor(private readonly o: KubeletOptions) {}

  private log(line: string): void {
    (this.o.log ?? ((l) => process.stderr.write(`${l}\n`)))(
      `kubelet[${this.nodeName || this.o.nodeName}]: ${line}`,
    );
  }

  private node(p: string): string {
    return resolveInNode(this.o.root, p);
  }

  /** Loads and checks the configuration, connects to the runtime, serves healthz, starts syncing. */
  async start(): Promise<void> {
    const configFile = this.node('/var/lib/kubelet/config.yaml');
    if (!existsSync(configFile))
      throw new KubeletStartError(
        'failed to load kubelet config file, path: /var/lib/kubelet/config.yaml: no such file or directory',
      );
    const flagsFile = this.node('/var/lib/kubelet/kubeadm-flags.env');
    this.settings = kubeletSettings(
      readFileSync(configFile, 'utf8'),
      existsSync(flagsFile) ? readFileSync(flagsFile, 'utf8') : undefined,
    );
    // As the kubelet does with the override: surrounding blanks dropped, lower case.
    this.nodeName = this.settings.hostnameOverride?.trim().toLowerCase() || this.o.nodeName;
    if (!existsSync(this.node(this.settings.clientCAFile))) {
      throw new KubeletStartError(
        `unable to load client CA file ${this.settings.clientCAFile}: open ${this.settings.clientCAFile}: no such file or directory`,
      );
    }
    if (this.settings.failSwapOn) {
      const swaps = existsSync('/proc/swaps') ? swapDevices(readFileSync('/proc/swaps', 'utf8')) : [];
      if (swaps.length > 0)
        throw new KubeletStartError(
          `running with swap on is not supported, please disable swap or set --fail-swap-on flag to false (${swaps.join(', ')})`,
        );
    }
    const endpoint = this.settings.criEndpoint.replace(/^unix:\/\//, '');
    this.runtime = await this.o.connect(this.node(endpoint));
    await this.adoptSandboxes();
    this.healthz = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    await new Promise<void>((resolve, reject) => {
      this.healthz!.once('error', reject);
      this.healthz!.listen(this.settings.healthzPort, this.settings.healthzBindAddress, () => resolve());
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.bootstrapping?.catch(() => undefined);
    this.healthz?.closeAllConnections();
    await new Promise<void>((r) => (this.healthz ? this.healthz.close(() => r()) : r()));
    this.client?.close();
    this.runtime?.close();
  }

  private async run(): Promise<void> {
    const interval = this.o.intervalMs ?? 1000;
    while (!this.abort.signal.aborted) {
      try {
        await this.syncPods();
        await this.syncNode();
      } catch (err) {
        this.log(`sync failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  /** Sandboxes left by a previous run of this kubelet are kept when their manifest is unchanged. */
  private async adoptSandboxes(): Promise<void> {
    const desired = await this.desiredPods();
    for (const sb of await this.runtime.listPodSandboxes()) {
      const hash = sb.annotations['kubernetes.io/config.hash'];
      const match = [...desired.values()].find((p) => p.hash === hash);
      if (match === undefined || sb.state !== 'ready' || this.running.has(match.file)) {
        await this.removeSandbox(sb.id);
        continue;
      }
      const containers = await this.runtime.listContainers({ podSandboxId: sb.id });
      const ids = match.containers.map(
        (c) => containers.filter((x) => x.name === c.name).sort((a, b) => b.attempt - a.attempt)[0]?.id ?? '',
      );
      this.running.set(match.file, {
        pod: match,
        sandboxId: sb.id,
        containerIds: ids,
        restarts: ids.map(() => 0),
        nextRestart: ids.map(() => 0),
      });
    }
  }

  private async desiredPods(): Promise<Map<string, StaticPod>> {
    const dir = this.node(this.settings.staticPodPath);
    const pods = new Map<string, StaticPod>();
    let names: string[] = [];
    try {
      names = (await fs.readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    } catch {
      return pods;
    }
    for (const name of names) {
      try {
        const text = await fs.readFile(path.join(dir, name), 'utf8');
        pods.set(name, staticPodFromManifest(name, text, this.nodeName, this.o.root));
      } catch (err) {
        this.note(`${name}: ${(err as Error).message}`);
      }
    }
    return pods;
  }

  private note(error: string): void {
    if (this.errors[this.errors.length - 1] !== error) {
      this.errors.push(error);
      this.log(error);
    }
  }

  private async removeSandbox(id: string): Promise<void> {
    await this.runtime.stopPodSandbox(id).catch(() => undefined);
    await this.runtime.removePodSandbox(id).catch(() => undefined);
  }

  private async prepareVolumes(pod: StaticPod): Promise<void> {
    for (const v of pod.volumes) {
      const onMachine = path.join(this.o.root, v.path);
      const stat = await fs.stat(onMachine).catch(() => undefined);
      switch (v.type) {
        case 'DirectoryOrCreate':
          if (!stat) await fs.mkdir(onMachine, { recursive: true, mode: 0o755 });
          break;
        case 'FileOrCreate':
          if (!stat) {
            await fs.mkdir(path.dirname(onMachine), { recursive: true });
            await fs.writeFile(onMachine, '', { mode: 0o644 });
          }
          break;
        case 'Directory':
          if (!stat?.isDirectory())
            throw new Error(`hostPath type check failed: ${v.path} is not a directory`);
          break;
        case 'File':
          if (!stat?.isFile()) throw new Error(`hostPath type check failed: ${v.path} is not a file`);
          break;
        default:
          if (!stat) await fs.mkdir(onMachine, { recursive: true });
      }
    }
  }

  private async startPod(pod: StaticPod): Promise<Running> {
    await this.prepareVolumes(pod);
    for (const c of pod.containers) {
      if (!(await this.runtime.imageExists(c.image))) await this.runtime.pullImage(c.image);
    }
    await fs.mkdir(pod.sandbox.logDirectory!, { recursive: true });
    const sandboxId = await this.runtime.runPodSandbox(pod.sandbox);
    const containerIds: string[] = [];
    for (const c of pod.containers) {
      const id = await this.runtime.createContainer(sandboxId, c, pod.sandbox);
      await this.runtime.startContainer(id);
      containerIds.push(id);
    }
    this.log(`started ${pod.namespace}/${pod.sandbox.name} (hash ${pod.hash})`);
    return {
      pod,
      sandboxId,
      containerIds,
      restarts: containerIds.map(() => 0),
      nextRestart: containerIds.map(() => 0),
    };
  }

  private async syncPods(): Promise<void> {
    const desired = await this.desiredPods();
    for (const [file, r] of [...this.running]) {
      const want = desired.get(file);
      if (want?.hash === r.pod.hash) continue;
      await this.removeSandbox(r.sandboxId);
      this.running.delete(file);
      this.log(`stopped ${r.pod.namespace}/${r.pod.sandbox.name}`);
    }
    for (const [file, pod] of desired) {
      const r = this.running.get(file);
      if (r === undefined) {
        try {
          this.running.set(file, await this.startPod(pod));
        } catch (err) {
          this.note(`${file}: ${(err as Error).message}`);
        }
        continue;
      }
      await this.restartExited(r);
    }
  }

  /** restartPolicy Always, with a back-off that doubles up to 10 s. */
  private async restartExited(r: Running): Promise<void> {
    for (let i = 0; i < r.containerIds.length; i++) {
      const status = await this.runtime.containerStatus(r.containerIds[i]!).catch(() => undefined);
      if (status?.state === 'running' || status?.state === 'created') continue;
      if (Date.now() < r.nextRestart[i]!) continue;
      const spec = r.pod.containers[i]!;
      const attempt = r.restarts[i]! + 1;
      try {
        if (status) await this.runtime.removeContainer(status.id).catch(() => undefined);
        const id = await this.runtime.createContainer(
          r.sandboxId,
          { ...spec, attempt, logPath: `${spec.name}/${attempt}.log` },
          r.pod.sandbox,
        );
        await this.runtime.startContainer(id);
        r.containerIds[i] = id;
      } catch (err) {
        this.note(`${r.pod.file}: restarting ${spec.name}: ${(err as Error).message}`);
      }
      r.restarts[i] = attempt;
      r.nextRestart[i] = Date.now() + Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
    }
  }

  private async syncNode(): Promise<void> {
    const kubeletConf = this.node('/etc/kubernetes/kubelet.conf');
    if (!existsSync(kubeletConf)) {
      if (
        this.bootstrapping === undefined &&
        existsSync(this.node('/etc/kubernetes/bootstrap-kubelet.conf'))
      ) {
        this.bootstrapping = tlsBootstrap(this.o.root, this.nodeName, this.abort.signal).catch(
          (err: unknown) => {
            this.note(`TLS bootstrap: ${(err as Error).message}`);
            this.bootstrapping = undefined;
          },
        );
      }
      return;
    }
    this.client ??= clientFromKubeconfig(kubeletConf, (p) => this.node(p));
    if (this.nodeUID === undefined) await this.register();
    if (Date.now() - this.lastHeartbeat > 5_000) await this.heartbeat();
    await this.syncMirrorPods();
    await this.syncApiPods();
  }

  /** Runs the Pods bound to this node (not mirror Pods), removes those deleted, reports their status. */
  private async syncApiPods(): Promise<void> {
    const list = await this.client!.request(
      'GET',
      `/api/v1/pods?fieldSelector=spec.nodeName%3D${this.nodeName}`,
    );
    const current = new Map<string, Obj>();
    for (const p of list.items ?? [])
      if (p.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined)
        current.set(p.metadata.uid, p);
    for (const [uid, run] of [...this.apiPods]) {
      if (current.has(uid)) continue;
      if (run.sandboxId) await this.removeSandbox(run.sandboxId);
      this.apiPods.delete(uid);
      this.log(`removed ${run.pod.metadata.namespace}/${run.pod.metadata.name}: deleted from the API`);
    }
    for (const [uid, pod] of current) {
      let run = this.apiPods.get(uid);
      if (run === undefined) {
        // One that finished before this kubelet started is left as it was reported.
        if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        run = {
          pod,
          containerIds: [],
          reports: [],
          pullFailures: 0,
          nextPull: 0,
          nextRestart: [],
          startTime: stamp(),
          terminal: false,
        };
        this.apiPods.set(uid, run);
        this.log(`running ${pod.metadata.namespace}/${pod.metadata.name} (bound to this node)`);
      }
      if (run.terminal) continue;
      try {
        await this.advance(run);
      } catch (err) {
        this.note(`${pod.metadata.namespace}/${pod.metadata.name}: ${(err as Error).message}`);
      }
      await this.reportApiPod(run);
      if (run.terminal && run.sandboxId) {
        // Its containers are done: the sandbox goes, as the kubelet stops that of a finished Pod.
        await this.removeSandbox(run.sandboxId);
        run.sandboxId = undefined;
      }
    }
  }

  private waiting(run: ApiRun, i: number, reason: string, message?: string): void {
    run.reports[i] = { ...run.reports[i]!, state: { waiting: { reason, ...(message ? { message } : {}) } } };
  }

  /** One step of a bound Pod: its images, its sandbox, its containers started, ended or restarted. */
  private async advance(run: ApiRun): Promise<void> {
    const pod = run.pod;
    if (run.specs === undefined) {
      try {
        run.specs = apiPodSpecs(pod, this.o.root);
      } catch (err) {
        if (!(err instanceof PodConfigError)) throw err;
        run.reports = (pod.spec?.containers ?? []).map((c: Obj) => ({
          name: c.name,
          image: c.image,
          restartCount: 0,
          state: { waiting: { reason: 'CreateContainerConfigError', message: err.message } },
        }));
        return;
      }
      run.reports = run.specs.containers.map((c) => ({
        name: c.name,
        image: c.image,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
      }));
      run.nextRestart = run.specs.containers.map(() => 0);
    }
    const { sandbox, containers, restartPolicy } = run.specs;
    // The images first, with the kubelet's back-off after a failed pull.
    if (run.containerIds.length === 0) {
      if (Date.now() < run.nextPull) return;
      for (let i = 0; i < containers.length; i++) {
        const image = containers[i]!.image;
        try {
          if (!(await this.runtime.imageExists(image))) await this.runtime.pullImage(image);
        } catch (err) {
          run.pullFailures++;
          run.nextPull = Date.now() + Math.min(10_000, 1000 * 2 ** Math.min(run.pullFailures, 4));
          const reason = run.pullFailures === 1 ? 'ErrImagePull' : 'ImagePullBackOff';
          this.waiting(run, i, reason, `failed to pull image "${image}": ${(err as Error).message}`);
          this.note(
            `${pod.metadata.namespace}/${pod.metadata.name}: pulling ${image}: ${(err as Error).message}`,
          );
          return;
        }
      }
      await fs.mkdir(sandbox.logDirectory!, { recursive: true });
      run.sandboxId = await this.runtime.runPodSandbox(sandbox);
      run.containerIds = containers.map(() => undefined);
    }
    for (let i = 0; i < containers.length; i++) {
      const id = run.containerIds[i];
      if (id === undefined) {
        await this.startApiContainer(run, i, 0);
        continue;
      }
      if (!('running' in run.reports[i]!.state)) {
        if ('terminated' in run.reports[i]!.state) await this.maybeRestart(run, i, restartPolicy);
        continue;
      }
      const status = await this.runtime.containerStatus(id).catch(() => undefined);
      if (status === undefined || status.state === 'running' || status.state === 'created') continue;
      const started = (run.reports[i]!.state as { running: { startedAt: string } }).running.startedAt;
      run.reports[i] = {
        ...run.reports[i]!,
        state: {
          terminated: {
            exitCode: status.exitCode,
            reason: status.reason || (status.exitCode === 0 ? 'Completed' : 'Error'),
            startedAt: started,
            finishedAt: stamp(),
            containerID: `containerd://${id}`,
          },
        },
      };
      this.log(
        `${pod.metadata.namespace}/${pod.metadata.name}: container ${containers[i]!.name} exited with code ${status.exitCode}`,
      );
    }
    run.terminal = ['Succeeded', 'Failed'].includes(podPhase(restartPolicy, run.reports));
  }

  private async startApiContainer(run: ApiRun, i: number, attempt: number): Promise<void> {
    const spec = run.specs!.containers[i]!;
    let id: string;
    try {
      id = await this.runtime.createContainer(
        run.sandboxId!,
        { ...spec, attempt, logPath: `${spec.name}/${attempt}.log` },
        run.specs!.sandbox,
      );
    } catch (err) {
      this.waiting(run, i, 'CreateContainerError', (err as Error).message);
      return;
    }
    run.containerIds[i] = id;
    try {
      await this.runtime.startContainer(id);
      run.reports[i] = {
        ...run.reports[i]!,
        containerID: `containerd://${id}`,
        state: { running: { startedAt: stamp() } },
      };
    } catch (err) {
      // The runtime could not start the process: the kubelet's StartError, exit code 128.
      run.reports[i] = {
        ...run.reports[i]!,
        containerID: `containerd://${id}`,
        state: {
          terminated: {
            exitCode: 128,
            reason: 'StartError',
            finishedAt: stamp(),
            containerID: `containerd://${id}`,
          },
        },
      };
      this.note(
        `${run.pod.metadata.namespace}/${run.pod.metadata.name}: starting ${spec.name}: ${(err as Error).message}`,
      );
    }
  }

  /** Always restarts, OnFailure restarts a container that failed, Never leaves it ended. */
  private async maybeRestart(run: ApiRun, i: number, policy: ApiPodSpecs['restartPolicy']): Promise<void> {
    const state = run.reports[i]!.state as { terminated: { exitCode: number } };
    if (policy === 'Never' || (policy === 'OnFailure' && state.terminated.exitCode === 0)) return;
    if (Date.now() < run.nextRestart[i]!) return;
    const old = run.containerIds[i];
    if (old !== undefined) await this.runtime.removeContainer(old).catch(() => undefined);
    const attempt = run.reports[i]!.restartCount + 1;
    run.reports[i] = { ...run.reports[i]!, restartCount: attempt };
    run.nextRestart[i] = Date.now() + Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
    await this.startApiContainer(run, i, attempt);
  }

  private async reportApiPod(run: ApiRun): Promise<void> {
    if (run.reports.length === 0) return;
    const policy = run.specs?.restartPolicy ?? run.pod.spec?.restartPolicy ?? 'Always';
    const status = podStatus(policy, run.reports, {
      hostIP: this.settings.nodeIP ?? this.o.address,
      startTime: run.startTime,
      now: stamp(),
    });
    // Times aside, only a change is sent.
    const key = JSON.stringify([status.phase, status.containerStatuses]);
    if (key === run.reported) return;
    const { namespace, name } = run.pod.metadata;
    try {
      await this.client!.request(
        'PATCH',
        `/api/v1/namespaces/${namespace}/pods/${name}/status`,
        { status },
        'application/strategic-merge-patch+json',
      );
      run.reported = key;
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 404)) throw err;
    }
  }

  private async register(): Promise<void> {
    const name = this.nodeName;
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
          ...this.settings.nodeLabels,
        },
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.settings.taints.length > 0 ? { taints: this.settings.taints } : {},
      status: this.nodeStatus(),
    };
    try {
      const created = await this.client!.request('POST', '/api/v1/nodes', node);
      this.nodeUID = created.metadata.uid;
      this.log(`registered node ${name}`);
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409)) throw err;
      this.nodeUID = (await this.client!.request('GET', `/api/v1/nodes/${name}`)).metadata.uid;
    }
  }

  private nodeStatus(): Record<string, unknown> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: this.settings.nodeIP ?? this.o.address },
        { type: 'Hostname', address: this.nodeName },
      ],
      nodeInfo: {
        kubeletVersion: this.o.version ?? 'v1.34.0',
        containerRuntimeVersion: 'containerd://lab',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    };
  }

  private async heartbeat(): Promise<void> {
    await this.client!.request(
      'PATCH',
      `/api/v1/nodes/${this.nodeName}/status`,
      { status: this.nodeStatus() },
      'application/strategic-merge-patch+json',
    );
    this.lastHeartbeat = Date.now();
  }

  private async syncMirrorPods(): Promise<void> {
    const wanted = new Map(
      [...this.running.values()].map((r) => [`${r.pod.namespace}/${r.pod.name}-${this.nodeName}`, r]),
    );
    const existing = await this.client!.request(
      'GET',
      `/api/v1/pods?fieldSelector=spec.nodeName%3D${this.nodeName}`,
    );
    const seen = new Set<string>();
    for (const p of existing.items ?? []) {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      if (p.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined) continue;
      const r = wanted.get(key);
      if (r !== undefined && p.metadata.annotations['kubernetes.io/config.hash'] === r.pod.hash) {
        seen.add(key);
        await this.refreshMirrorStatus(p, r);
        continue;
      }
      await this.client!.request(
        'DELETE',
        `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`,
      ).catch(() => undefined);
    }
    for (const [key, r] of wanted) {
      if (seen.has(key)) continue;
      const ready = await this.allRunning(r);
      await this.client!.request(
        'POST',
        `/api/v1/namespaces/${r.pod.namespace}/pods`,
        mirrorPod(r.pod, this.nodeName, this.nodeUID, ready, r.restarts),
      ).catch((err: unknown) => {
        if (!(err instanceof KubeError && err.code === 409)) throw err;
      });
    }
  }

  /** Readiness and restart counts follow the containers, as the kubelet's status manager keeps them. */
  private async refreshMirrorStatus(
    p: { metadata: { namespace: string; name: string }; status?: Parameters<typeof mirrorStatusCurrent>[0] },
    r: Running,
  ): Promise<void> {
    const status = mirrorPodStatus(r.pod, await this.allRunning(r), r.restarts);
    if (mirrorStatusCurrent(p.status, status)) return;
    await this.client!.request(
      'PATCH',
      `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
      { status },
      'application/strategic-merge-patch+json',
    );
  }

  private async allRunning(r: Running): Promise<boolean> {
    for (const id of r.containerIds) {
      const s = await this.runtime.containerStatus(id).catch(() => undefined);
      if (s?.state !== 'running') return false;
    }
    return true;
  }
}
