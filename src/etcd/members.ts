// etcd cluster members as kbadm handles them, and the reading of etcd's v3 JSON answers. Pure.
//
// Member IDs are uint64 values. The JSON gateway sends them as decimal strings, and they are kept
// as strings here: a JavaScript number would silently round most of them.

export interface EtcdMember {
  /** The member ID, in decimal, as etcd's JSON carries it. */
  id: string;
  /** Empty until the member has started and published its name. */
  name: string;
  peerURLs: string[];
  /** Empty until the member has started. */
  clientURLs: string[];
  isLearner: boolean;
}

/** The ID as etcdctl and kubeadm's logs show it (hexadecimal). */
export function hexMemberId(id: string): string {
  return BigInt(id).toString(16);
}

/** `1234` or `0x4d2` to the decimal form the gateway expects; undefined for anything else. */
export function parseMemberId(text: string): string | undefined {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const n = BigInt(t);
  return n > 0n && n < 2n ** 64n ? n.toString(10) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function member(v: unknown): EtcdMember | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  const id = typeof m['ID'] === 'string' || typeof m['ID'] === 'number' ? String(m['ID']) : undefined;
  if (id === undefined || parseMemberId(id) === undefined) return undefined;
  return {
    id,
    name: typeof m['name'] === 'string' ? m['name'] : '',
    peerURLs: strings(m['peerURLs']),
    clientURLs: strings(m['clientURLs']),
    isLearner: m['isLearner'] === true,
  };
}

/** The `members` of a MemberList/MemberAdd/MemberRemove/MemberPromote answer. */
export function membersOf(answer: unknown): EtcdMember[] {
  const list = (answer as { members?: unknown } | null)?.members;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error('etcd answered with a member list that is not a list');
  return list.map((m, i) => {
    const parsed = member(m);
    if (!parsed) throw new Error(`etcd answered with an unreadable member at index ${i}`);
    return parsed;
  });
}

/** The `member` a MemberAdd answer carries: the one just added. */
export function addedMemberOf(answer: unknown): EtcdMember | undefined {
  return member((answer as { member?: unknown } | null)?.member);
}

/** kubeadm identifies a member by its first peer URL. */
export function memberByPeerURL(members: readonly EtcdMember[], peerURL: string): EtcdMember | undefined {
  return members.find((m) => m.peerURLs[0] === peerURL);
}

/** Every client URL the started members advertise, in member order, without repeats. */
export function clientURLsOf(members: readonly EtcdMember[]): string[] {
  return [...new Set(members.flatMap((m) => m.clientURLs))];
}

/** For messages: `cp-1 (8e9e05c52164694d, https://10.0.0.1:2380)`. */
export function describeMember(m: EtcdMember): string {
  const name = m.name === '' ? 'unstarted member' : m.name;
  return `${name} (${hexMemberId(m.id)}, ${m.peerURLs.join(',')}${m.isLearner ? ', learner' : ''})`;
}

/** For messages: every member described, by name, so the same members always read the same. */
export function describeMembers(members: readonly EtcdMember[]): string {
  const byName = [...members].sort(
    (a, b) => a.name.localeCompare(b.name) || a.peerURLs.join(',').localeCompare(b.peerURLs.join(',')),
  );
  return byName.map(describeMember).join('; ');
}
