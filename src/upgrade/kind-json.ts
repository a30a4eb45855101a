// The small JSON files kbadm keeps beside an upgrade's backups (the upgrade record, the etcd restore
// journal) name their kind in the file, so a stray or foreign JSON file is told apart.

/** The object in `text` when it is JSON whose `kind` is `kind`; throws an Error saying what is wrong. */
export function parseKindJson(text: string, kind: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (o['kind'] !== kind) throw new Error(`kind is not "${kind}"`);
  return o;
}
