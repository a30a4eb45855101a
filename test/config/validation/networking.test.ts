import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFromWire } from '../../../src/config/convert.js';
import { V1BETA4, type ClusterConfiguration } from '../../../src/config/model.js';
import {
  clusterNodeMask,
  parseSubnets,
  utilsRangeSize,
  validateIPNetFromString,
  validateNetworking,
  validatePodSubnetNodeMask,
  validateServiceSubnetSize,
} from '../../../src/config/validation/networking.js';

const F = 'ClusterConfiguration.networking.podSubnet';

function cluster(
  net: Partial<ClusterConfiguration['networking']>,
  kcmArgs: [string, string][] = [],
): ClusterConfiguration {
  const c = clusterFromWire({}, V1BETA4);
  Object.assign(c.networking, net);
  c.controllerManager.extraArgs = kcmArgs.map(([name, value]) => ({ name, value }));
  return c;
}

describe('validateIPNetFromString', () => {
  const ok: string[] = ['10.96.0.0/12', '10.244.0.0/16,fd00:10:244::/56', 'fd00::/108', '010.96.0.0/12'];
  for (const s of ok) {
    it(`accepts ${s}`, () => assert.deepEqual(validateIPNetFromString(s, 10n, F).errors, []));
  }
  const bad: [string, unknown, string][] = [
    ['10.244.0.0/33', '10.244.0.0/33', "couldn't parse subnet"],
    ['10.244.0.0', '10.244.0.0', "couldn't parse subnet"],
    ['10.244.0.0/16,', '10.244.0.0/16,', "couldn't parse subnet"],
    ['10.244.0.0/16, fd00::/56', '10.244.0.0/16, fd00::/56', "couldn't parse subnet"],
    [
      '10.244.0.0/16,10.245.0.0/16',
      '10.244.0.0/16,10.245.0.0/16',
      'expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking',
    ],
    [
      '10.1.0.0/16,fd00::/56,10.2.0.0/16',
      '10.1.0.0/16,fd00::/56,10.2.0.0/16',
      'expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking',
    ],
    ['10.96.0.5/29', '10.96.0.0/29', 'subnet with 8 address(es) is too small, the minimum is 10'],
  ];
  for (const [s, value, detail] of bad) {
    it(`rejects ${s}: ${detail}`, () => {
      assert.deepEqual(validateIPNetFromString(s, 10n, F).errors, [{ field: F, value, detail }]);
    });
  }
  it('reports every problem: the pairing and each too-small subnet', () => {
    const r = validateIPNetFromString('10.0.0.0/29,10.1.0.0/30', 14n, F);
    assert.deepEqual(
      r.errors.map((e) => e.detail),
      [
        'expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking',
        'subnet with 8 address(es) is too small, the minimum is 14',
        'subnet with 4 address(es) is too small, the minimum is 14',
      ],
    );
  });
  it('counts a /0 or /1 as zero addresses (k8s.io/utils RangeSize)', () => {
    assert.equal(utilsRangeSize(parseSubnets('0.0.0.0/0')![0]!), 0n);
    assert.equal(utilsRangeSize(parseSubnets('::/1')![0]!), 0n);
    assert.equal(utilsRangeSize(parseSubnets('::/2')![0]!), (1n << 63n) - 1n);
    assert.deepEqual(
      validateIPNetFromString('0.0.0.0/0', 10n, F).errors[0]?.detail,
      'subnet with 0 address(es) is too small, the minimum is 10',
    );
  });
  it('warns about IPv6 site-local subnets (fec0::/10) without failing', () => {
    const r = validateIPNetFromString('fec0::/64', 14n, F);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      'the subnet fec0::/64 contains IPv6 site-local addresses that belong to fec0::/10 which has been deprecated by rfc3879',
    ]);
    assert.equal(
      validateIPNetFromString('fe00::/7', 14n, F).warnings.length,
      1,
      'a subnet containing fec0::/10',
    );
    assert.deepEqual(validateIPNetFromString('fd00::/64', 14n, F).warnings, []);
  });
});

describe('validateServiceSubnetSize', () => {
  const f = 'ClusterConfiguration.networking.serviceSubnet';
  it('accepts up to 20 host bits', () => {
    assert.deepEqual(validateServiceSubnetSize('10.96.0.0/12,fd00::/108', f), []);
  });
  it('rejects an IPv4 /11 and an IPv6 /107 with the mask kubeadm asks for', () => {
    assert.deepEqual(validateServiceSubnetSize('10.96.0.0/11,fd00::/107', f), [
      {
        field: f,
        value: '10.96.0.0/11',
        detail: 'specified service subnet is too large; for 32-bit addresses, the mask must be >= 12',
      },
      {
        field: f,
        value: 'fd00::/107',
        detail: 'specified service subnet is too large; for 128-bit addresses, the mask must be >= 108',
      },
    ]);
  });
  it('ignores unparsable input (reported by validateIPNetFromString)', () => {
    assert.deepEqual(validateServiceSubnetSize('nonsense', f), []);
  });
});

describe('clusterNodeMask / validatePodSubnetNodeMask', () => {
  it('defaults to 24 (IPv4) and 64 (IPv6)', () => {
    assert.deepEqual(clusterNodeMask(cluster({}), false), { mask: 24 });
    assert.deepEqual(clusterNodeMask(cluster({}), true), { mask: 64 });
  });
  it('takes the last node-cidr-mask-size-ipv4/-ipv6 extra arg', () => {
    const c = cluster({}, [
      ['node-cidr-mask-size-ipv4', '20'],
      ['node-cidr-mask-size-ipv4', '26'],
      ['node-cidr-mask-size-ipv6', '80'],
    ]);
    assert.deepEqual(clusterNodeMask(c, false), { mask: 26 });
    assert.deepEqual(clusterNodeMask(c, true), { mask: 80 });
  });
  it('does not consult the single-stack node-cidr-mask-size flag (as kubeadm)', () => {
    assert.deepEqual(clusterNodeMask(cluster({}, [['node-cidr-mask-size', '28']]), false), { mask: 24 });
  });
  it('accepts a pod subnet that holds whole node subnets', () => {
    assert.deepEqual(validatePodSubnetNodeMask('10.244.0.0/16,fd00:10:244::/56', cluster({}), F), []);
    assert.deepEqual(validatePodSubnetNodeMask('10.244.0.0/24', cluster({}), F), []);
    assert.deepEqual(
      validatePodSubnetNodeMask('10.0.0.0/8', cluster({}), F),
      [],
      'a difference of exactly 16',
    );
  });
  it('rejects a pod subnet smaller than a node subnet', () => {
    assert.deepEqual(validatePodSubnetNodeMask('10.244.0.0/26', cluster({}), F), [
      {
        field: F,
        value: '10.244.0.0/26',
        detail: 'the size of pod subnet with mask 26 is smaller than the size of node subnet with mask 24',
      },
    ]);
  });
  it('rejects more than 16 bits between the pod subnet and the node mask', () => {
    const c = cluster({}, [['node-cidr-mask-size-ipv4', '28']]);
    assert.deepEqual(validatePodSubnetNodeMask('10.0.0.0/8', c, F), [
      {
        field: F,
        value: '10.0.0.0/8',
        detail: 'pod subnet mask (8) and node-mask (28) difference is greater than 16',
      },
    ]);
  });
  it('rejects a mask flag that is not an integer', () => {
    const c = cluster({}, [['node-cidr-mask-size-ipv6', 'big']]);
    assert.deepEqual(validatePodSubnetNodeMask('fd00::/56', c, F), [
      {
        field: F,
        value: 'fd00::/56',
        detail:
          'could not parse the value of the kube-controller-manager flag node-cidr-mask-size-ipv6 as an integer: strconv.Atoi: parsing "big": invalid syntax',
      },
    ]);
  });
});

describe('validateNetworking', () => {
  const P = 'ClusterConfiguration.networking';
  it('accepts the defaults and a dual-stack setup', () => {
    assert.deepEqual(validateNetworking(cluster({}), P), { errors: [], warnings: [] });
    const ds = cluster({
      podSubnet: '10.244.0.0/16,fd00:10:244::/56',
      serviceSubnet: '10.96.0.0/16,fd00:10:96::/112',
    });
    assert.deepEqual(validateNetworking(ds, P).errors, []);
  });
  it('rejects a bad DNS domain with the DNS-1123 message', () => {
    const r = validateNetworking(cluster({ dnsDomain: 'cluster_local' }), P);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.field, `${P}.dnsDomain`);
    assert.equal(r.errors[0]!.value, 'cluster_local');
    assert.match(r.errors[0]!.detail, /^a lowercase RFC 1123 subdomain must consist of/);
  });
  it('checks the service subnet minimum (10) and maximum (20 host bits)', () => {
    const small = validateNetworking(cluster({ serviceSubnet: '10.96.0.0/29' }), P);
    assert.deepEqual(small.errors, [
      {
        field: `${P}.serviceSubnet`,
        value: '10.96.0.0/29',
        detail: 'subnet with 8 address(es) is too small, the minimum is 10',
      },
    ]);
    const big = validateNetworking(cluster({ serviceSubnet: '10.0.0.0/8' }), P);
    assert.equal(big.errors[0]?.field, `${P}.serviceSubnet`);
    assert.match(big.errors[0]!.detail, /too large/);
  });
  it('checks the pod subnet minimum (14) and node mask', () => {
    const r = validateNetworking(cluster({ podSubnet: '10.244.0.0/29' }), P);
    assert.deepEqual(
      r.errors.map((e) => [e.field, e.detail]),
      [
        [`${P}.podSubnet`, 'subnet with 8 address(es) is too small, the minimum is 14'],
        [
          `${P}.podSubnet`,
          'the size of pod subnet with mask 29 is smaller than the size of node subnet with mask 24',
        ],
      ],
    );
  });
  it('skips the node-mask check when allocate-node-cidrs=false', () => {
    const c = cluster({ podSubnet: '10.244.0.0/26' }, [['allocate-node-cidrs', 'false']]);
    assert.deepEqual(validateNetworking(c, P).errors, []);
  });
  it('skips empty subnets', () => {
    assert.deepEqual(validateNetworking(cluster({ serviceSubnet: '', podSubnet: '' }), P).errors, []);
  });
});
