import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { httpsProxyFor, noProxyMatches, proxyURL } from '../../src/preflight/http-proxy.js';

describe('HTTPS proxy selection (Go net/http rules)', () => {
  test('HTTPS_PROXY wins over https_proxy; none set means a direct connection', () => {
    assert.equal(httpsProxyFor({}, '10.0.0.5'), undefined);
    assert.equal(httpsProxyFor({ https_proxy: 'http://low:1' }, '10.0.0.5'), 'http://low:1');
    assert.equal(
      httpsProxyFor({ HTTPS_PROXY: 'http://up:1', https_proxy: 'http://low:1' }, '10.0.0.5'),
      'http://up:1',
    );
    assert.equal(
      httpsProxyFor({ HTTP_PROXY: 'http://plain:1' }, '10.0.0.5'),
      undefined,
      'only the HTTPS setting counts',
    );
  });

  test('localhost and loopback addresses never use a proxy', () => {
    const env = { HTTPS_PROXY: 'p:1' };
    assert.equal(httpsProxyFor(env, 'localhost'), undefined);
    assert.equal(httpsProxyFor(env, '127.0.0.9'), undefined);
    assert.equal(httpsProxyFor(env, '::1'), undefined);
  });

  test('NO_PROXY entries: *, CIDRs, IPs with and without ports, domains and subdomains', () => {
    assert.ok(noProxyMatches('*', 'anything', '443'));
    assert.ok(noProxyMatches('10.96.0.0/12', '10.96.0.1', '443'));
    assert.ok(!noProxyMatches('10.96.0.0/12', '10.112.0.1', '443'));
    assert.ok(noProxyMatches(' 10.0.0.5 ', '10.0.0.5', '443'));
    assert.ok(noProxyMatches('10.0.0.5:443', '10.0.0.5', '443'));
    assert.ok(!noProxyMatches('10.0.0.5:6443', '10.0.0.5', '443'));
    assert.ok(noProxyMatches('[fd00::1]:1234', 'fd00::1', '1234'));
    assert.ok(noProxyMatches('fd00::/8', 'fd00::1', '1234'));
    assert.ok(noProxyMatches('example.com', 'example.com', '443'));
    assert.ok(noProxyMatches('example.com', 'api.example.com', '443'));
    assert.ok(noProxyMatches('.example.com', 'api.example.com', '443'));
    assert.ok(!noProxyMatches('.example.com', 'example.com', '443'));
    assert.ok(noProxyMatches('*.example.com', 'api.example.com', '443'));
    assert.ok(!noProxyMatches('example.com', 'notexample.com', '443'));
    assert.ok(noProxyMatches('EXAMPLE.com', 'Api.Example.COM', '443'), 'case does not matter');
  });

  test('a proxy without a scheme is http://; a password is never printed', () => {
    assert.equal(proxyURL('proxy:3128'), 'http://proxy:3128');
    assert.equal(proxyURL('https://proxy:3128'), 'https://proxy:3128');
    assert.equal(proxyURL('http://me:s3cret@proxy:3128'), 'http://me:xxxxx@proxy:3128');
  });
});
