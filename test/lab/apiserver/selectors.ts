// Label and field selectors as the API server parses them (the subset clients send):
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated.

type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

export class SelectorError extends Error {}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(s: string): Requirement[] {
  return splitTerms(s).map((term) => {
    let m = /^([^\s!=,()]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] };
    m = /^([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
    m = /^(!?)([^\s!=,()]+)$/.exec(term);
    if (m) return { key: m[2]!, op: m[1] === '!' ? '!exists' : 'exists' };
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

export function labelsMatch(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const present = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return present;
      case '!exists':
        return !present;
      case 'in':
        return present && r.values.includes(l[r.key]!);
      case 'notin':
        return !present || !r.values.includes(l[r.key]!);
    }
  });
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Field selectors: `metadata.name=x`, `spec.nodeName!=y`; only the fields each kind supports. */
export function parseFieldSelector(s: string, supported: readonly string[]): FieldRequirement[] {
  return splitTerms(s).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    if (!supported.includes(m[1]!)) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1]!, value: m[3]!, negate: m[2] === '!=' };
  });
}

/** Fields the server renders from a Go bool: an absent one reads `false`, not empty. */
const BOOLEAN_FIELDS = new Set(['spec.unschedulable']);

function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[part];
  if (cur === undefined || cur === null) return BOOLEAN_FIELDS.has(path) ? 'false' : '';
  return String(cur);
}

export function fieldsMatch(reqs: FieldRequirement[], obj: Record<string, unknown>): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}

/** The fields every kind may be selected on, plus the ones the real server adds per kind. */
export function supportedFields(kind: string): string[] {
  const base = ['metadata.name', 'metadata.namespace'];
  switch (kind) {
    case 'Pod':
      return [
        ...base,
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'status.phase',
        'status.podIP',
      ];
    case 'Secret':
      return [...base, 'type'];
    case 'Node':
      return [...base, 'spec.unschedulable'];
    case 'CertificateSigningRequest':
      return [...base, 'spec.signerName'];
    case 'Event':
      return [
        ...base,
        'involvedObject.kind',
        'involvedObject.name',
        'involvedObject.namespace',
        'reason',
        'type',
      ];
    default:
      return base;
  }
}
