// `upgrade plan`'s result: one component table per available upgrade and the component
// configuration states, rendered as kubeadm 1.34 prints them (text), or as its UpgradePlan object
// of group output.kubeadm.k8s.io/v1alpha3 (json, yaml).
import { formatVersion } from '../config/k8s-version.js';
import { tabwrite } from '../output/table.js';
import { dumpYaml } from '../output/yaml.js';
import {
  sortNodeVersions,
  type ClusterVersions,
  type ComponentConfigState,
  type KubeletGroup,
} from './cluster-state.js';
import { etcdTargetTag, type AvailableUpgrade } from './versions.js';

export const OUTPUT_API_VERSION = 'output.kubeadm.k8s.io/v1alpha3';

export interface ComponentUpgradePlan {
  name: string;
  currentVersion: string;
  newVersion: string;
  nodeName?: string;
}

export interface PlannedUpgrade {
  description: string;
  /** `v1.34.0`: the argument of the apply command. */
  target: string;
  applyFlag: string;
  /** Set when kbadm is older than the target and has to be replaced first. */
  updateKbadmTo?: string;
  components: ComponentUpgradePlan[];
}

export interface UpgradePlan {
  upgrades: PlannedUpgrade[];
  configVersions: ComponentConfigState[];
}

export interface PlanOptions {
  /** kbadm's own version (the `kubeadm` entry of the object). */
  kbadmVersion: string;
  /** The CoreDNS tag kbadm deploys (dns.imageTag or its built-in one). */
  coreDNSTarget: string;
  /** --etcd-upgrade: false keeps etcd at its current version. */
  etcdUpgrade: boolean;
  /** etcd.local.imageTag, when the configuration pins one. */
  etcdImageTag?: string;
}

/** kubeadm lists kubelets only when at least one would change version. */
function kubeletsChange(groups: readonly KubeletGroup[], target: string): boolean {
  return groups.length > 1 || (groups.length === 1 && groups[0]!.version !== target);
}

/** One row per node, however many there are, as kubeadm 1.30 to 1.34 print them. */
function kubeletRows(groups: readonly KubeletGroup[], target: string): ComponentUpgradePlan[] {
  return groups.flatMap((g) =>
    g.nodes.map((node) => ({
      name: 'kubelet',
      currentVersion: g.version,
      newVersion: target,
      nodeName: node,
    })),
  );
}

function plannedUpgrade(state: ClusterVersions, up: AvailableUpgrade, o: PlanOptions): PlannedUpgrade {
  const target = formatVersion(up.target);
  const components: ComponentUpgradePlan[] = [];
  if (kubeletsChange(state.kubelets, target)) components.push(...kubeletRows(state.kubelets, target));
  const perNode = (name: string, list: ClusterVersions['apiServer'], newVersion: (v: string) => string) => {
    for (const { node, version } of sortNodeVersions(list))
      components.push({ name, currentVersion: version, newVersion: newVersion(version), nodeName: node });
  };
  perNode('kube-apiserver', state.apiServer, () => target);
  perNode('kube-controller-manager', state.controllerManager, () => target);
  perNode('kube-scheduler', state.scheduler, () => target);
  // kubeadm 1.34 prints kube-proxy's current version without its `v`.
  if (state.kubeProxy !== undefined)
    components.push({
      name: 'kube-proxy',
      currentVersion: state.kubeProxy.replace(/^v/, ''),
      newVersion: target,
    });
  if (state.coreDNS !== undefined)
    components.push({ name: 'CoreDNS', currentVersion: state.coreDNS, newVersion: o.coreDNSTarget });
  components.push({
    name: 'kubeadm',
    currentVersion: o.kbadmVersion,
    newVersion: up.needsNewerKbadm ? target : o.kbadmVersion,
  });
  if (!state.externalEtcd) {
    const etcdTarget = etcdTargetTag(up.target, o.etcdImageTag);
    perNode('etcd', state.etcd, (current) => (o.etcdUpgrade ? etcdTarget : current));
  }
  return {
    description: up.description,
    target,
    applyFlag: up.applyFlag,
    ...(up.needsNewerKbadm ? { updateKbadmTo: target } : {}),
    components,
  };
}

export function buildUpgradePlan(
  state: ClusterVersions,
  upgrades: readonly AvailableUpgrade[],
  o: PlanOptions,
): UpgradePlan {
  return { upgrades: upgrades.map((u) => plannedUpgrade(state, u, o)), configVersions: state.configs };
}

// ---------------------------------------------------------------------------------------------------
// json / yaml

/** kubeadm's UpgradePlan object: fields in its order, for json. */
export function upgradePlanDocument(plan: UpgradePlan): Record<string, unknown> {
  return {
    kind: 'UpgradePlan',
    apiVersion: OUTPUT_API_VERSION,
    availableUpgrades: plan.upgrades.map((u) => ({ description: u.description, components: u.components })),
    configVersions: plan.configVersions,
  };
}

export function renderUpgradePlan(plan: UpgradePlan, format: 'json' | 'yaml'): string {
  const doc = upgradePlanDocument(plan);
  return format === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : dumpYaml(doc);
}

// ---------------------------------------------------------------------------------------------------
// text

const RULE = '_____________________________________________________________________';
const HEADER = 'COMPONENT\tNODE\tCURRENT\tTARGET';

function row(c: ComponentUpgradePlan): string {
  return [c.name, c.nodeName ?? '', c.currentVersion, c.newVersion].join('\t');
}

function upgradeText(u: PlannedUpgrade): string {
  const kubelets = u.components.filter((c) => c.name === 'kubelet');
  // The kubeadm entry is for machines only, as in kubeadm's text.
  const others = u.components.filter((c) => c.name !== 'kubelet' && c.name !== 'kubeadm');
  let text = '';
  if (kubelets.length > 0) {
    text +=
      "Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':\n";
    text += `${tabwrite([HEADER, ...kubelets.map(row)])}\n`;
  }
  text += `Upgrade to the latest ${u.description}:\n\n`;
  text += `${tabwrite([HEADER, ...others.map(row)])}\n`;
  text += 'You can now apply the upgrade by executing the following command:\n\n';
  text += `\tkbadm upgrade apply ${u.target}${u.applyFlag ? ` ${u.applyFlag}` : ''}\n\n`;
  if (u.updateKbadmTo)
    text += `Note: Before you can perform this upgrade, you have to update kbadm to ${u.updateKbadmTo}.\n\n`;
  return `${text}${RULE}\n\n`;
}

function configText(states: readonly ComponentConfigState[]): string {
  const table = tabwrite([
    'API GROUP\tCURRENT VERSION\tPREFERRED VERSION\tMANUAL UPGRADE REQUIRED',
    ...states.map((s) =>
      [s.group, s.currentVersion, s.preferredVersion, s.manualUpgradeRequired ? 'yes' : 'no'].join('\t'),
    ),
  ]);
  return (
    '\n' +
    'The table below shows the current state of component configs as understood by this version of kbadm.\n' +
    'Configs that have a "yes" mark in the "MANUAL UPGRADE REQUIRED" column require manual config upgrade or\n' +
    'resetting to kubeadm defaults before a successful upgrade can be performed. The version to manually\n' +
    'upgrade to is denoted in the "PREFERRED VERSION" column.\n\n' +
    `${table}${RULE}\n\n`
  );
}

/** The tables and commands, or '' when there is nothing to upgrade to (kubeadm prints nothing then). */
export function renderUpgradePlanText(plan: UpgradePlan): string {
  if (plan.upgrades.length === 0) return '';
  return plan.upgrades.map(upgradeText).join('') + configText(plan.configVersions);
}
