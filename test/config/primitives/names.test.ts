import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidNodeName,
  isWildcardDNS1123Subdomain,
  wildcardDNS1123SubdomainErrors,
} from '../../../src/config/names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('DNS-1123 subdomain', () => {
  const good = [
    'cluster.local',
    'cp-1',
    'node1.example.com',
    'a',
    '1',
    '0.0.0.0',
    'x'.repeat(63) + '.' + 'y'.repeat(63),
    'a-b.c-d',
  ];
  for (const s of good) it(`accepts ${s.slice(0, 40)}`, () => assert.equal(isDNS1123Subdomain(s), true));
  const bad = [
    '',
    'Cluster.local',
    'cp_1',
    '-cp',
    'cp-',
    'a..b',
    '.a',
    'a.',
    'a b',
    '*.example.com',
    'ünicode',
  ];
  for (const s of bad) {
    it(`rejects ${JSON.stringify(s)} with apimachinery's text`, () => {
      assert.equal(isDNS1123Subdomain(s), false);
      assert.deepEqual(dns1123SubdomainErrors(s), [SUBDOMAIN_MSG]);
    });
  }
  it('reports length and format separately', () => {
    const long = 'a'.repeat(254);
    assert.deepEqual(dns1123SubdomainErrors(long), ['must be no more than 253 characters']);
    assert.deepEqual(dns1123SubdomainErrors('A'.repeat(254)), [
      'must be no more than 253 characters',
      SUBDOMAIN_MSG,
    ]);
    assert.equal(isDNS1123Subdomain('a'.repeat(253)), true);
  });
});

describe('DNS-1123 label', () => {
  for (const s of ['my-name', '123-abc', 'a', 'x'.repeat(63)])
    it(`accepts ${s}`, () => assert.equal(isDNS1123Label(s), true));
  for (const s of ['a.b', 'My-name', '-a', '']) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.deepEqual(dns1123LabelErrors(s), [LABEL_MSG]));
  }
  it('limits length to 63', () =>
    assert.deepEqual(dns1123LabelErrors('x'.repeat(64)), ['must be no more than 63 characters']));
});

describe('wildcard DNS-1123 subdomain', () => {
  for (const s of ['*.example.com', '*.apps.cluster.local', '*.a'])
    it(`accepts ${s}`, () => assert.equal(isWildcardDNS1123Subdomain(s), true));
  for (const s of ['example.com', '*', '*.', 'a.*.example.com', '**.example.com', '*.Example.com']) {
    it(`rejects ${s}`, () => {
      assert.equal(isWildcardDNS1123Subdomain(s), false);
      assert.match(
        wildcardDNS1123SubdomainErrors(s).at(-1)!,
        /^a wildcard DNS-1123 subdomain must start with '\*\.'.*\(e\.g\. '\*\.example\.com', regex used for validation is '\\\*\\\.\[a-z0-9\]/,
      );
    });
  }
});

describe('isValidNodeName', () => {
  const cases: [string, boolean][] = [
    ['cp-1', true],
    ['worker-01.lab.example.com', true],
    ['ip-10-0-1-23.ec2.internal', true],
    ['', false],
    ['Node-1', false],
    ['node_1', false],
    ['node-', false],
  ];
  for (const [s, want] of cases)
    it(`${JSON.stringify(s)} → ${want}`, () => assert.equal(isValidNodeName(s), want));
});
