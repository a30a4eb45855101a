import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostsFileAddresses, resolvConfNameservers } from '../../src/preflight/resolver-files.js';

test('/etc/hosts: every address naming the host, comments and case ignored', () => {
  const hosts = '127.0.0.1 localhost\n# 10.0.0.9 cp-1\n10.0.0.5\tcp-1.example cp-1 # main\nfd00::5 CP-1\n\n';
  assert.deepEqual(hostsFileAddresses(hosts, 'cp-1'), ['10.0.0.5', 'fd00::5']);
  assert.deepEqual(hostsFileAddresses(hosts, 'cp-2'), []);
  assert.deepEqual(hostsFileAddresses('', 'cp-1'), []);
});

test('/etc/resolv.conf: the nameserver lines in order', () => {
  const conf =
    'search example.com\nnameserver 10.0.0.2\n; nameserver 10.0.0.3\nnameserver fd00::53 # v6\noptions ndots:2\n';
  assert.deepEqual(resolvConfNameservers(conf), ['10.0.0.2', 'fd00::53']);
  assert.deepEqual(resolvConfNameservers(''), []);
});
