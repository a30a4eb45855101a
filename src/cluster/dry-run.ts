// The dry-run client: every request is printed (what, where, and the object sent) and answered from
// memory, so a later phase finds what an earlier one "created" and nothing reaches a server.
// Secret values are printed masked: a dry run's output is often pasted into tickets.
import { dumpYaml } from '../output/yaml.js';
import type { Output } from '../output/output.js';
import { MemoryCluster, type RecordedRequest, type Verb } from './memory.js';
import { apiGroupName, kindInfo } from './resources.js';
import type { ObjectRef } from './types.js';

export const MASKED = '<masked>';

/** A copy of an object fit to print: a Secret's values replaced by MASKED. */
export function maskSecrets(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const o = body as Record<string, unknown>;
  if (o.kind !== 'Secret') return body;
  const masked = { ...o };
  for (const field of ['data', 'stringData']) {
    const values = o[field];
    if (values && typeof values === 'object')
      masked[field] = Object.fromEntries(Object.keys(values).map((k) => [k, MASKED]));
  }
  return masked;
}

/** The lines one request prints. */
export function describeRequest(r: RecordedRequest): string[] {
  const lines = [
    `Would perform action ${r.verb} on resource "${kindInfo(r.kind).plural}" in API group "${apiGroupName(r.apiVersion)}"`,
  ];
  if (r.name !== undefined)
    lines.push(`Resource name "${r.name}"${r.namespace !== undefined ? `, namespace "${r.namespace}"` : ''}`);
  else if (r.namespace !== undefined) lines.push(`Namespace "${r.namespace}"`);
  if (r.query?.labelSelector) lines.push(`Label selector "${r.query.labelSelector}"`);
  if (r.query?.fieldSelector) lines.push(`Field selector "${r.query.fieldSelector}"`);
  return lines;
}

export class DryRunCluster extends MemoryCluster {
  constructor(private readonly out: Output) {
    // init's dry run starts no kubelet, so the node is answered as if it had registered.
    super('https://dry-run.invalid', { registerNodes: true });
  }

  protected override record(
    verb: Verb,
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    extra: Partial<RecordedRequest> = {},
  ): void {
    super.record(verb, ref, extra);
    const r = this.requests[this.requests.length - 1]!;
    for (const line of describeRequest(r)) this.out.progress('dryrun', line);
    if (r.body !== undefined) {
      this.out.progress('dryrun', verb === 'PATCH' ? 'Attached patch:' : 'Attached object:');
      const text = verb === 'PATCH' ? JSON.stringify(r.body) : dumpYaml(maskSecrets(r.body));
      for (const line of text.trimEnd().split('\n')) this.out.progressLine(`\t${line}`);
    }
  }
}
