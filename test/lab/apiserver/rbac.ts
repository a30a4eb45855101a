// RBAC as kube-apiserver evaluates it: system:masters is a superuser; otherwise a request is
// allowed when a rule of a (Cluster)Role bound to the user, one of its groups, or its service
// account matches. Also the Node authorizer's broad stand-in for kubelets (group system:nodes),
// and the default roles and bindings the real server creates at start-up.

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  /** Set for resource requests. */
  resource?: { apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Set for non-resource requests, e.g. /livez. */
  path?: string;
}

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
}

export interface Binding {
  metadata: { name: string; namespace?: string };
  subjects?: Subject[];
  roleRef: RoleRef;
}

export interface Role {
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
}

/** What the authorizer reads: the stored RBAC objects. */
export interface RbacSnapshot {
  clusterRoles: Role[];
  clusterRoleBindings: Binding[];
  roles: Role[];
  roleBindings: Binding[];
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value);

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
  );
}

export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (attrs.resource !== undefined) {
    const r = attrs.resource;
    if (!has(rule.apiGroups, r.apiGroup)) return false;
    if (!resourceMatches(rule, r.resource, r.subresource)) return false;
    if ((rule.resourceNames ?? []).length > 0)
      return r.name !== undefined && rule.resourceNames!.includes(r.name);
    return true;
  }
  return attrs.path !== undefined && urlMatches(rule, attrs.path);
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.name === `system:serviceaccount:${s.namespace ?? bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

/** The Node authorizer, reduced to what a kubelet does: its own node, pods, leases and CSRs. */
const NODE_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['nodes', 'nodes/status'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: [''],
    resources: ['pods', 'pods/status'],
    verbs: ['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'],
  },
  {
    apiGroups: [''],
    resources: ['configmaps', 'secrets', 'services', 'endpoints'],
    verbs: ['get', 'list', 'watch'],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
  {
    apiGroups: ['certificates.k8s.io'],
    resources: ['certificatesigningrequests'],
    verbs: ['get', 'list', 'watch', 'create'],
  },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

export interface Decision {
  allowed: boolean;
  reason: string;
}

export function authorize(attrs: RequestAttributes, rbac: RbacSnapshot, modes: readonly string[]): Decision {
  if (attrs.user.groups.includes('system:masters')) return { allowed: true, reason: 'system:masters' };
  if (modes.includes('AlwaysAllow')) return { allowed: true, reason: 'AlwaysAllow' };
  if (
    modes.includes('Node') &&
    attrs.user.groups.includes('system:nodes') &&
    attrs.user.name.startsWith('system:node:')
  ) {
    if (NODE_RULES.some((r) => ruleAllows(r, attrs))) return { allowed: true, reason: 'Node' };
  }
  if (!modes.includes('RBAC')) return { allowed: false, reason: 'no authorizer allowed it' };
  const clusterRole = (name: string) => rbac.clusterRoles.find((r) => r.metadata.name === name);
  const rulesOf = (ref: RoleRef, namespace: string | undefined): PolicyRule[] => {
    if (ref.kind === 'ClusterRole') return clusterRole(ref.name)?.rules ?? [];
    const role = rbac.roles.find((r) => r.metadata.name === ref.name && r.metadata.namespace === namespace);
    return role?.rules ?? [];
  };
  for (const b of rbac.clusterRoleBindings) {
    if (!(b.subjects ?? []).some((s) => subjectMatches(s, attrs.user, undefined))) continue;
    if (rulesOf(b.roleRef, undefined).some((r) => ruleAllows(r, attrs)))
      return { allowed: true, reason: `ClusterRoleBinding "${b.metadata.name}"` };
  }
  const ns = attrs.resource?.namespace;
  if (ns !== undefined) {
    for (const b of rbac.roleBindings) {
      if (b.metadata.namespace !== ns) continue;
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, attrs.user, ns))) continue;
      if (rulesOf(b.roleRef, ns).some((r) => ruleAllows(r, attrs)))
        return { allowed: true, reason: `RoleBinding "${ns}/${b.metadata.name}"` };
    }
  }
  return { allowed: false, reason: '' };
}

/** kube-apiserver's text for a refused request. */
export function forbiddenMessage(attrs: RequestAttributes): string {
  const user = `User "${attrs.user.name}"`;
  if (attrs.resource === undefined) return `forbidden: ${user} cannot ${attrs.verb} path "${attrs.path}"`;
  const r = attrs.resource;
  const what = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const subject = r.name !== undefined ? `${r.resource} "${r.name}"` : what;
  const scope = r.namespace !== undefined ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: ${user} cannot ${attrs.verb} resource "${what}" in API group "${r.apiGroup}" ${scope}`;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** The defaults kube-apiserver's RBAC bootstrap creates, as far as a kubeadm cluster relies on them. */
export function defaultClusterRoles(): Role[] {
  const role = (name: string, rules: PolicyRule[]): Role => ({ metadata: { name }, rules });
  const namespacedCore = [
    'configmaps',
    'secrets',
    'pods',
    'services',
    'serviceaccounts',
    'endpoints',
    'events',
  ];
  return [
    role('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    role('system:discovery', [
      {
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/readyz',
          '/openapi',
          '/openapi/*',
          '/version',
          '/version/',
        ],
        verbs: ['get'],
      },
    ]),
    role('system:public-info-viewer', [
      { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    role('system:basic-user', [
      {
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
        verbs: ['create'],
      },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    role('system:node-bootstrapper', [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests'],
        verbs: ['create', 'get', 'list', 'watch'],
      },
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests/nodeclient'],
        verbs: ['create'],
      },
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests/selfnodeclient'],
        verbs: ['create'],
      },
    ]),
    role('system:node-proxier', [
      { apiGroups: [''], resources: ['endpoints', 'services', 'nodes'], verbs: ['list', 'watch', 'get'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    ]),
    // The controller stand-in does the work of several controllers under one identity.
    role('system:kube-controller-manager', [
      {
        apiGroups: ['', 'apps', 'batch', 'coordination.k8s.io', 'certificates.k8s.io'],
        resources: ['*'],
        verbs: [...READ, ...WRITE],
      },
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests/approval', 'certificatesigningrequests/status', 'signers'],
        verbs: ['update', 'approve', 'sign'],
      },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]),
    role('system:kube-scheduler', [
      { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces'], verbs: READ },
      { apiGroups: [''], resources: ['pods/binding', 'bindings'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
    ]),
    role('view', [
      {
        apiGroups: ['', 'apps', 'batch'],
        resources: namespacedCore
          .filter((r) => r !== 'secrets')
          .concat(['deployments', 'daemonsets', 'jobs']),
        verbs: READ,
      },
    ]),
    role('edit', [
      {
        apiGroups: ['', 'apps', 'batch'],
        resources: [...namespacedCore, 'deployments', 'daemonsets', 'jobs'],
        verbs: [...READ, ...WRITE],
      },
    ]),
    role('admin', [
      {
        apiGroups: ['', 'apps', 'batch'],
        resources: [...namespacedCore, 'deployments', 'daemonsets', 'jobs'],
        verbs: [...READ, ...WRITE],
      },
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles', 'rolebindings'],
        verbs: [...READ, ...WRITE],
      },
    ]),
  ];
}

export function defaultClusterRoleBindings(): Binding[] {
  const bind = (name: string, subjects: Subject[], role = name): Binding => ({
    metadata: { name },
    subjects,
    roleRef: { kind: 'ClusterRole', name: role },
  });
  const group = (name: string): Subject => ({ kind: 'Group', name });
  const user = (name: string): Subject => ({ kind: 'User', name });
  return [
    bind('cluster-admin', [group('system:masters')]),
    bind('system:discovery', [group('system:authenticated')]),
    bind('system:basic-user', [group('system:authenticated')]),
    bind('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    bind('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    bind('system:kube-scheduler', [user('system:kube-scheduler')]),
    bind('system:node-proxier', [user('system:kube-proxy')]),
  ];
}
