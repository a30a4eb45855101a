// Shared helpers for the manifest, phase and etcd tests: configurations from the corpus or from
// the manifest fixtures, and the lines a run printed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadInitConfig } from '../../src/config/load.js';
import type { InitConfig } from '../../src/config/model.js';
import type { RecordedOutput } from '../../src/output/output.js';

export const CONFIGS_DIR = fileURLToPath(new URL('../fixtures/configs/', import.meta.url));
export const MANIFEST_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));
export const PATCH_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/patches/', import.meta.url));

export const FACTS = { hostname: 'cp-1', defaultRouteAddress: '192.168.0.10', criSocketsPresent: [] };

export function loadConfigText(text: string, source = 'config.yaml'): InitConfig {
  return loadInitConfig(text, {
    source,
    facts: FACTS,
    defaulting: { skipCRIDetect: true, generateToken: () => 'abcdef.0123456789abcdef' },
  }).config;
}

/** A configuration file: `configs/<name>` from the corpus or `manifests/<case>/config.yaml`. */
export function loadConfigFile(file: string): InitConfig {
  return loadConfigText(readFileSync(file, 'utf8'), file);
}

/** Every progress line printed so far. */
export function lines(out: RecordedOutput): string[] {
  return out
    .text()
    .split('\n')
    .filter((l) => l !== '');
}
