import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, test } from 'node:test';
import {
  isGlobalUnicast,
  parseIPv4DefaultRoutes,
  parseIPv6DefaultRoutes,
  pickDefaultRouteAddress,
} from '../../src/host/default-route.js';

// /proc/net/route as the kernel writes it (tab-separated, padded with trailing spaces).
const ROUTE_ONE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               
`;

// Two default routes (wifi with a worse metric listed first), a docker bridge, a route that is down.
const ROUTE_TWO = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
enp3s0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
tun0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0
`;

const ROUTE_NONE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;

const IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

// Only the kernel's unreachable default route: no IPv6 default route.
const IPV6_NONE = `00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

function addr(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const base = { address, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

describe('parseIPv4DefaultRoutes', () => {
  test('finds the default route in kernel output', () => {
    assert.deepEqual(parseIPv4DefaultRoutes(ROUTE_ONE), [{ family: 'IPv4', iface: 'eth0', metric: 0 }]);
  });
  test('orders several default routes by metric and ignores routes that are down', () => {
    assert.deepEqual(
      parseIPv4DefaultRoutes(ROUTE_TWO).map((r) => [r.iface, r.metric]),
      [
        ['enp3s0', 100],
        ['wlan0', 600],
      ],
    );
  });
  test('no default route, empty or malformed input', () => {
    assert.deepEqual(parseIPv4DefaultRoutes(ROUTE_NONE), []);
    assert.deepEqual(parseIPv4DefaultRoutes(''), []);
    assert.deepEqual(parseIPv4DefaultRoutes('garbage\nmore garbage'), []);
  });
});

describe('parseIPv6DefaultRoutes', () => {
  test('finds the default route and skips the unreachable one on lo', () => {
    assert.deepEqual(parseIPv6DefaultRoutes(IPV6_ROUTE), [{ family: 'IPv6', iface: 'eth0', metric: 0x400 }]);
  });
  test('a reject (unreachable) default route is not a default route, whatever the interface', () => {
    const reject = IPV6_NONE.split('\n')[1]!.replace(/lo$/, 'eth0');
    assert.deepEqual(parseIPv6DefaultRoutes(reject), []);
  });
  test('no default route', () => {
    assert.deepEqual(parseIPv6DefaultRoutes(IPV6_NONE), []);
    assert.deepEqual(parseIPv6DefaultRoutes(''), []);
  });
});

describe('isGlobalUnicast', () => {
  const cases: Array<[string, 'IPv4' | 'IPv6', boolean]> = [
    ['192.168.0.10', 'IPv4', true],
    ['10.0.0.1', 'IPv4', true],
    ['8.8.8.8', 'IPv4', true],
    ['127.0.0.1', 'IPv4', false],
    ['169.254.10.1', 'IPv4', false],
    ['0.0.0.0', 'IPv4', false],
    ['224.0.0.1', 'IPv4', false],
    ['255.255.255.255', 'IPv4', false],
    ['300.1.1.1', 'IPv4', false],
    ['fd00::2', 'IPv6', true],
    ['2001:db8::1', 'IPv6', true],
    ['::1', 'IPv6', false],
    ['::', 'IPv6', false],
    ['fe80::1', 'IPv6', false],
    ['FEBF::1', 'IPv6', false],
    ['ff02::1', 'IPv6', false],
  ];
  for (const [address, family, expected] of cases) {
    test(`${address} -> ${expected}`, () => assert.equal(isGlobalUnicast(address, family), expected));
  }
});

describe('pickDefaultRouteAddress', () => {
  const routes = [...parseIPv4DefaultRoutes(ROUTE_ONE), ...parseIPv6DefaultRoutes(IPV6_ROUTE)];

  test('the first global IPv4 address of the default-route interface', () => {
    const ifaces = {
      lo: [addr('127.0.0.1', 'IPv4', true)],
      eth0: [
        addr('fe80::1', 'IPv6'),
        addr('169.254.1.1', 'IPv4'),
        addr('192.0.2.10', 'IPv4'),
        addr('192.0.2.11', 'IPv4'),
      ],
      eth1: [addr('10.0.0.5', 'IPv4')],
    };
    assert.equal(pickDefaultRouteAddress(routes, ifaces), '192.0.2.10');
  });

  test('falls back to IPv6 when the IPv4 route interface has no IPv4 address', () => {
    const ifaces = { eth0: [addr('fe80::1', 'IPv6'), addr('fd00::2', 'IPv6')] };
    assert.equal(pickDefaultRouteAddress(routes, ifaces), 'fd00::2');
  });

  test('the better metric wins', () => {
    const ifaces = { wlan0: [addr('192.168.0.20', 'IPv4')], enp3s0: [addr('192.168.1.20', 'IPv4')] };
    assert.equal(pickDefaultRouteAddress(parseIPv4DefaultRoutes(ROUTE_TWO), ifaces), '192.168.1.20');
  });

  test('undefined without a default route or without a usable address', () => {
    assert.equal(pickDefaultRouteAddress([], { eth0: [addr('192.0.2.10', 'IPv4')] }), undefined);
    assert.equal(pickDefaultRouteAddress(routes, { eth0: [addr('fe80::1', 'IPv6')] }), undefined);
    assert.equal(pickDefaultRouteAddress(routes, {}), undefined);
  });
});
