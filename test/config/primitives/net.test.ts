import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressCount,
  cidrContains,
  formatCIDR,
  formatIP,
  hostBits,
  isDualStack,
  joinHostPort,
  nthIP,
  parseCIDR,
  parseCIDRList,
  parseCIDRSloppy,
  parseHostPort,
  parseIP,
  parseIPSloppy,
  rangeSize,
  splitHostPort,
} from '../../../src/config/net.js';

describe('parseIP / formatIP', () => {
  const valid: [string, 4 | 6, string][] = [
    ['10.96.0.1', 4, '10.96.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['::1', 6, '::1'],
    ['::', 6, '::'],
    ['2001:DB8::1', 6, '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
    ['fd00:10:96::', 6, 'fd00:10:96::'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['1:0:0:0:0:0:0:0', 6, '1::'],
    ['::ffff:192.168.0.10', 4, '192.168.0.10'], // IPv4-mapped is IPv4, as Go's To4 sees it
    ['::1.2.3.4', 6, '::102:304'],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::c000:221'],
  ];
  for (const [input, family, text] of valid) {
    it(`accepts ${input}`, () => {
      const ip = parseIP(input);
      assert.ok(ip, input);
      assert.equal(ip.family, family);
      assert.equal(ip.bytes.length, family === 4 ? 4 : 16);
      assert.equal(formatIP(ip), text);
    });
  }
  const invalid = [
    '',
    '10.96.0',
    '10.96.0.1.2',
    '256.0.0.1',
    '010.96.0.1', // leading zero: rejected since Go 1.17
    '10.96.00.1',
    '1.2.3.-4',
    ' 10.96.0.1',
    '10.96.0.1/12',
    'fe80::1%eth0', // zones are not IPs
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::1',
    'g::1',
    '[::1]',
    '1:2:3:4:5:6:7::8', // "::" would stand for no group
    '::1.2.3',
    '1.2.3.4::',
    'localhost',
  ];
  for (const s of invalid) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseIP(s), undefined));
  }
  it('sloppy parsing reads leading zeros as decimal', () => {
    assert.equal(formatIP(parseIPSloppy('010.096.000.001')!), '10.96.0.1');
    assert.equal(parseIPSloppy('256.0.0.1'), undefined);
  });
});

describe('parseCIDR', () => {
  const cases: [string, string, number, number][] = [
    ['10.96.0.0/12', '10.96.0.0', 12, 20],
    ['10.96.0.1/12', '10.96.0.0', 12, 20], // host bits cleared
    ['10.244.0.0/16', '10.244.0.0', 16, 16],
    ['192.168.1.77/32', '192.168.1.77', 32, 0],
    ['0.0.0.0/0', '0.0.0.0', 0, 32],
    ['fd00:10:96::/112', 'fd00:10:96::', 112, 16],
    ['2001:db8:42:1::5/64', '2001:db8:42:1::', 64, 64],
    ['::/0', '::', 0, 128],
    ['::ffff:10.0.0.0/104', '10.0.0.0', 8, 24],
    ['10.0.0.0/08', '10.0.0.0', 8, 24], // Go's dtoi accepts leading zeros in the prefix
  ];
  for (const [input, net, prefix, bits] of cases) {
    it(`parses ${input}`, () => {
      const c = parseCIDR(input);
      assert.ok(c);
      assert.equal(formatIP(c.ip), net);
      assert.equal(c.prefix, prefix);
      assert.equal(c.text, input);
      assert.equal(hostBits(c), bits);
      assert.equal(formatCIDR(c), `${net}/${prefix}`);
    });
  }
  const bad = [
    '10.96.0.0',
    '10.96.0.0/33',
    '10.96.0.0/-1',
    '10.96.0.0/',
    '/12',
    '10.96.0.0/1a',
    'fd00::/129',
    '010.96.0.0/12',
    'x/8',
    '10.96.0.0/12/1',
    '10.96.0.0/+12',
  ];
  for (const s of bad) it(`rejects ${s}`, () => assert.equal(parseCIDR(s), undefined));
  it('sloppy variant accepts leading zeros', () =>
    assert.equal(parseCIDRSloppy('010.96.0.0/12')?.prefix, 12));
});

describe('parseCIDRList / isDualStack', () => {
  it('parses single and dual stack lists', () => {
    const one = parseCIDRList('10.244.0.0/16');
    assert.equal(one?.length, 1);
    assert.equal(isDualStack(one!), false);
    const two = parseCIDRList('10.244.0.0/16,fd00:10:244::/56');
    assert.equal(two?.length, 2);
    assert.equal(isDualStack(two!), true);
    assert.equal(isDualStack(parseCIDRList('10.1.0.0/16,10.2.0.0/16')!), false);
    assert.equal(isDualStack(parseCIDRList('fd00::/64,fd01::/64')!), false);
  });
  for (const s of ['', '10.244.0.0/16,', '10.244.0.0/16, fd00::/56', 'a,b', ',10.0.0.0/8']) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseCIDRList(s), undefined));
  }
});

describe('nthIP / sizes / contains', () => {
  const cases: [string, number, string | undefined][] = [
    ['10.96.0.0/12', 1, '10.96.0.1'],
    ['10.96.0.0/12', 10, '10.96.0.10'],
    ['10.96.0.0/12', 0, '10.96.0.0'],
    ['10.96.0.0/12', 300, '10.96.1.44'],
    ['10.96.0.0/12', 1048575, '10.111.255.255'],
    ['10.96.0.0/12', 1048576, undefined],
    ['192.168.0.0/30', 4, undefined],
    ['192.168.0.0/30', -1, undefined],
    ['fd00:10:96::/112', 10, 'fd00:10:96::a'],
    ['fd00:10:96::/112', 65536, undefined],
    ['255.255.255.0/24', 255, '255.255.255.255'],
  ];
  for (const [cidr, n, want] of cases) {
    it(`${n}th of ${cidr} is ${want}`, () => {
      const ip = nthIP(parseCIDR(cidr)!, n);
      assert.equal(ip === undefined ? undefined : formatIP(ip), want);
    });
  }
  it('counts addresses', () => {
    assert.equal(addressCount(parseCIDR('10.96.0.0/12')!), 1048576n);
    assert.equal(addressCount(parseCIDR('10.0.0.0/28')!), 16n);
    assert.equal(addressCount(parseCIDR('fd00::/64')!), 1n << 64n);
    assert.equal(rangeSize(parseCIDR('fd00::/64')!), (1n << 63n) - 1n);
    assert.equal(rangeSize(parseCIDR('fd00::/112')!), 65536n);
  });
  it('tests membership by family and prefix', () => {
    const c = parseCIDR('10.96.0.0/12')!;
    assert.equal(cidrContains(c, parseIP('10.111.1.1')!), true);
    assert.equal(cidrContains(c, parseIP('10.112.0.0')!), false);
    assert.equal(cidrContains(c, parseIP('::1')!), false);
  });
});

describe('splitHostPort / joinHostPort', () => {
  const ok: [string, string, number | undefined][] = [
    ['cp.example.com:6443', 'cp.example.com', 6443],
    ['cp.example.com', 'cp.example.com', undefined],
    ['192.168.0.10:6443', '192.168.0.10', 6443],
    ['192.168.0.10', '192.168.0.10', undefined],
    ['[2001:db8::10]:6443', '2001:db8::10', 6443],
    ['[2001:db8::10]', '2001:db8::10', undefined],
    ['2001:db8::10', '2001:db8::10', undefined],
    ['host:', 'host', undefined],
    ['host:0', 'host', 0],
    ['host:65535', 'host', 65535],
  ];
  for (const [s, host, port] of ok) {
    it(`splits ${s}`, () => {
      const r = splitHostPort(s);
      assert.ok(r);
      assert.equal(r.host, host);
      assert.equal(r.port, port);
    });
  }
  for (const s of [
    '',
    'host:65536',
    'host:http',
    'a:b:c',
    '[::1',
    '[::1]x',
    '[::1]:x',
    'ho]st:1',
    '[a]b]:1',
  ]) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(splitHostPort(s), undefined));
  }
  it('joins with brackets for IPv6', () => {
    assert.equal(joinHostPort('10.0.0.1', 6443), '10.0.0.1:6443');
    assert.equal(joinHostPort('fd00::1', 6443), '[fd00::1]:6443');
    assert.equal(joinHostPort('cp', '443'), 'cp:443');
  });
});

describe('parseHostPort (kubeadm controlPlaneEndpoint rules)', () => {
  const ok: [string, string, number | undefined][] = [
    ['k8s-api.example.com:6443', 'k8s-api.example.com', 6443],
    ['k8s-api.example.com', 'k8s-api.example.com', undefined],
    ['192.168.0.100:8443', '192.168.0.100', 8443],
    ['[fd00::100]:6443', 'fd00::100', 6443],
    ['fd00::100', 'fd00::100', undefined],
    ['010.0.0.1:6443', '010.0.0.1', 6443], // ParseIPSloppy
  ];
  for (const [s, host, port] of ok) {
    it(`accepts ${s}`, () =>
      assert.deepEqual(parseHostPort(s), port === undefined ? { host } : { host, port }));
  }
  const bad: [string, string][] = [
    [
      'api.example.com:0',
      'hostport api.example.com:0: port 0 must be a valid number between 1 and 65535, inclusive',
    ],
    [
      'api.example.com:70000',
      'hostport api.example.com:70000: port 70000 must be a valid number between 1 and 65535, inclusive',
    ],
    [
      'api.example.com:https',
      'hostport api.example.com:https: port https must be a valid number between 1 and 65535, inclusive',
    ],
    [
      'API.example.com',
      "hostport API.example.com: host 'API.example.com' must be a valid IP address or a valid RFC-1123 DNS subdomain",
    ],
    [
      'https://api.example.com:6443',
      "hostport https://api.example.com:6443: host 'https://api.example.com:6443' must be a valid IP address or a valid RFC-1123 DNS subdomain",
    ],
    [
      'api_lb:6443',
      "hostport api_lb:6443: host 'api_lb' must be a valid IP address or a valid RFC-1123 DNS subdomain",
    ],
  ];
  for (const [s, err] of bad) it(`rejects ${s}`, () => assert.deepEqual(parseHostPort(s), { error: err }));
});
