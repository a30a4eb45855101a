import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration,
  formatDurationNs,
  parseDuration,
  parseDurationNs,
} from '../../../src/config/duration.js';

describe('parseDuration (Go time.ParseDuration)', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['0s', 0],
    ['24h0m0s', 86_400_000],
    ['24h', 86_400_000],
    ['8760h0m0s', 31_536_000_000],
    ['87600h', 315_360_000_000],
    ['4m0s', 240_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['5.s', 5000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['2h45m', 9_900_000],
    ['-1.5h', -5_400_000],
    ['+2s', 2000],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1μs', 0.001],
    ['1000ns', 0.001],
    ['1h1h', 7_200_000], // Go allows repeated units
    ['0.000000001s', 0.000001],
  ];
  for (const [s, ms] of ok) it(`${s} = ${ms} ms`, () => assert.equal(parseDuration(s), ms));
  const bad = [
    '',
    '1',
    '-',
    '+',
    's',
    '.s',
    '1.5.5s',
    '1 h',
    '1h ',
    ' 1h',
    '1hour',
    '1d',
    '1H',
    '1h-5m',
    '1e3s',
    'constructor',
    '1constructor',
    '9223372037s',
    '3000000h',
  ];
  for (const s of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseDuration(s), undefined));
  it('keeps nanosecond precision and Go overflow limits', () => {
    assert.equal(parseDurationNs('1.0000000009s'), 1_000_000_000n); // truncated below 1ns
    assert.equal(parseDurationNs('9223372036854775807ns'), 9223372036854775807n);
    assert.equal(parseDurationNs('9223372036854775808ns'), undefined);
    assert.equal(parseDurationNs('-9223372036854775808ns'), -9223372036854775808n);
  });
});

describe('formatDuration (Go Duration.String)', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [86_400_000, '24h0m0s'],
    [31_536_000_000, '8760h0m0s'],
    [315_360_000_000, '87600h0m0s'],
    [300_000, '5m0s'],
    [240_000, '4m0s'],
    [60_000, '1m0s'],
    [59_000, '59s'],
    [1500, '1.5s'],
    [1000, '1s'],
    [500, '500ms'],
    [1.5, '1.5ms'],
    [0.001, '1µs'],
    [0.0015, '1.5µs'],
    [0.000001, '1ns'],
    [3_723_004, '1h2m3.004s'],
    [3_600_000, '1h0m0s'],
    [-5_400_000, '-1h30m0s'],
    [-500, '-500ms'],
    [90_000.5, '1m30.0005s'],
  ];
  for (const [ms, text] of cases) it(`${ms} ms prints ${text}`, () => assert.equal(formatDuration(ms), text));
  it('formats nanosecond counts', () => {
    assert.equal(formatDurationNs(1n), '1ns');
    assert.equal(formatDurationNs(999n), '999ns');
    assert.equal(formatDurationNs(1_000_000_001n), '1.000000001s');
  });
  it('round-trips the kubeadm defaults', () => {
    for (const s of ['24h0m0s', '4m0s', '5m0s', '1m0s', '2m0s', '8760h0m0s', '87600h0m0s']) {
      assert.equal(formatDuration(parseDuration(s)!), s);
    }
  });
});
