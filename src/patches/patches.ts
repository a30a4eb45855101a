// kubeadm's patches (util/patches): files named `target[suffix][+patchtype].{json,yaml}`, each
// holding one or more patches applied in order to its target. Pure: patch-files.ts reads the directory.
import { KbadmError, errorMessage } from '../errors.js';
import { printable } from '../output/printable.js';
import { yamlErrorReason, yamlLib } from '../output/yaml.js';
import { applyJsonPatch, type Json } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import {
  applyStrategicMergePatch,
  DEPLOYMENT_SCHEMA,
  KUBELET_CONFIGURATION_SCHEMA,
  POD_SCHEMA,
  type MergeSchema,
} from './strategic.js';

export const PATCH_TARGETS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubeletconfiguration',
  'corednsdeployment',
] as const;
export type PatchTarget = (typeof PATCH_TARGETS)[number];

export type PatchType = 'strategic' | 'merge' | 'json';

/** The content type kubeadm names each patch type by in its messages. */
export const PATCH_CONTENT_TYPE: Readonly<Record<PatchType, string>> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

const KNOWN_EXTENSIONS = ['json', 'yaml'];
const EXTENSION = /.+\.(json|yaml)$/;
// Alternation order matters as in kubeadm's regexp: the first target that matches the start wins.
const FILE_NAME = new RegExp(`^(${PATCH_TARGETS.join('|')})([^.+\\n]*)?(\\+)?(json|merge|strategic)?`);

export type ParsedFileName =
  { kind: 'patch'; target: PatchTarget; patchType: PatchType } | { kind: 'ignored'; reason: string };

/** One file name: a patch, a file to skip (with kubeadm's reason), or an error for a bad `+type`. */
export function parsePatchFileName(fileName: string): ParsedFileName {
  if (!EXTENSION.test(fileName)) {
    return { kind: 'ignored', reason: `the file extension must be one of [${KNOWN_EXTENSIONS.join(' ')}]` };
  }
  const m = FILE_NAME.exec(fileName);
  if (!m) return { kind: 'ignored', reason: `unknown target, must be one of [${PATCH_TARGETS.join(' ')}]` };
  if (m[3] && !m[4]) {
    throw new KbadmError(
      `unknown or missing patch type after '+', must be one of [json merge strategic] (file "${printable(fileName)}")`,
    );
  }
  return {
    kind: 'patch',
    target: m[1] as PatchTarget,
    patchType: (m[4] as PatchType | undefined) ?? 'strategic',
  };
}

export interface PatchSet {
  file: string;
  target: PatchTarget;
  patchType: PatchType;
  /** The file's documents as JSON values, empty ones dropped. */
  patches: Json[];
}

export interface PatchFiles {
  sets: PatchSet[];
  /** Messages kubeadm prints while reading (`[patches]` lines without the tag). */
  messages: string[];
}

/** Patch sets from files already read, in the order given (the caller sorts by name). */
export function patchSetsFromFiles(files: readonly { name: string; data: string }[]): PatchFiles {
  const sets: PatchSet[] = [];
  const messages: string[] = [];
  const found: string[] = [];
  const ignored: string[] = [];
  for (const f of files) {
    // Names and contents come from the directory: every message shows them escaped.
    const name = printable(f.name);
    const parsed = parsePatchFileName(f.name);
    if (parsed.kind === 'ignored') {
      messages.push(`Ignoring file "${name}": ${parsed.reason}`);
      ignored.push(name);
      continue;
    }
    if (f.data.length === 0) {
      messages.push(`Ignoring empty file: "${name}"`);
      ignored.push(name);
      continue;
    }
    sets.push({
      file: f.name,
      target: parsed.target,
      patchType: parsed.patchType,
      patches: parseDocuments(f),
    });
    found.push(name);
  }
  if (found.length > 0) messages.push(`Found the following patch files: [${found.join(' ')}]`);
  if (ignored.length > 0) messages.push(`Ignored the following files: [${ignored.join(' ')}]`);
  return { sets, messages };
}

/** One patch set from text with a known target and type (kubeadm's CreatePatchSet). */
export function createPatchSet(
  file: string,
  target: PatchTarget,
  patchType: PatchType,
  data: string,
): PatchSet {
  return { file, target, patchType, patches: parseDocuments({ name: file, data }) };
}

function parseDocuments(f: { name: string; data: string }): Json[] {
  const Y = yamlLib();
  const lines = new Y.LineCounter();
  // Merge keys (`<<`) work in patches as in kubeadm's YAML decoder.
  const docs = Y.parseAllDocuments(f.data, { merge: true, prettyErrors: false, lineCounter: lines });
  const out: Json[] = [];
  for (const doc of docs) {
    const e = doc.errors[0];
    if (e) {
      // The parser's own message quotes the file; only the kind of error and where are shown.
      const at = lines.linePos(e.pos[0]);
      throw new KbadmError(
        `could not convert patch file "${printable(f.name)}" to JSON: yaml: ${yamlErrorReason(e)} (line ${at.line}, column ${at.col})`,
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as Json | undefined;
    if (value === null || value === undefined) continue;
    out.push(value);
  }
  return out;
}

const SCHEMAS: Partial<Record<PatchTarget, MergeSchema>> = {
  etcd: POD_SCHEMA,
  'kube-apiserver': POD_SCHEMA,
  'kube-controller-manager': POD_SCHEMA,
  'kube-scheduler': POD_SCHEMA,
  kubeletconfiguration: KUBELET_CONFIGURATION_SCHEMA,
  corednsdeployment: DEPLOYMENT_SCHEMA,
};

export interface Patched {
  value: Json;
  /** `Applied patch of type "<content type>" to target "<target>"`, once per patch. */
  messages: string[];
}

/**
 * Applies every patch for `target`, file by file, document by document. A failing patch is an
 * error that names its file, its type and the target.
 */
export function applyPatches(target: PatchTarget, value: Json, sets: readonly PatchSet[]): Patched {
  let current = structuredClone(value);
  const messages: string[] = [];
  const schema = SCHEMAS[target] ?? {};
  for (const set of sets) {
    if (set.target !== target) continue;
    for (const patch of set.patches) {
      try {
        switch (set.patchType) {
          case 'json':
            current = applyJsonPatch(current, patch);
            break;
          case 'merge':
            current = applyMergePatch(current, patch);
            break;
          case 'strategic':
            current = applyStrategicMergePatch(current, patch, schema);
            break;
        }
      } catch (err) {
        const why = errorMessage(err);
        // One line, with the patch as JSON and nothing from the file unescaped.
        throw new KbadmError(
          printable(
            `could not apply the following patch of type "${PATCH_CONTENT_TYPE[set.patchType]}" to target "${target}" from file "${set.file}": ${why}; patch: ${JSON.stringify(patch)}`,
          ),
          { cause: err },
        );
      }
      messages.push(`Applied patch of type "${PATCH_CONTENT_TYPE[set.patchType]}" to target "${target}"`);
    }
  }
  return { value: current, messages };
}

/** The first line kubeadm prints for a patches directory, before it lists it. */
export function readingPatchesMessage(shownDir: string): string {
  return `Reading patches from path "${printable(shownDir)}"`;
}
