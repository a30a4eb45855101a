// Shared helpers for the configuration tests: the fixture corpus and fixed host facts.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DefaultingFacts } from '../../src/config/defaults.js';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/configs/', import.meta.url));
export const INVALID_DIR = `${CORPUS_DIR}invalid/`;

export const FACTS: DefaultingFacts = {
  hostname: 'Node-A',
  defaultRouteAddress: '192.168.0.10',
  criSocketsPresent: [],
};

export function validFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

export function invalidFiles(): string[] {
  return readdirSync(INVALID_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'expected.json')
    .sort();
}

export function readValid(name: string): string {
  return readFileSync(CORPUS_DIR + name, 'utf8');
}

export function readInvalid(name: string): string {
  return readFileSync(INVALID_DIR + name, 'utf8');
}

export function expectedInvalid(): Record<string, string[]> {
  return JSON.parse(readFileSync(`${INVALID_DIR}expected.json`, 'utf8')) as Record<string, string[]>;
}

/** A fixed token source, so loaded configurations compare equal. */
export const fixedToken = (): string => 'abcdef.0123456789abcdef';
