// An etcd cluster behind the v3 JSON gateway, in memory: what EtcdClient's transport talks to in
// unit tests (membership, learners, promotion, unreachable endpoints). The real etcd is in
// test/support/etcd.ts.
import { EtcdAPIError, type EtcdTransport } from '../../src/etcd/gateway.js';

export interface FakeMember {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** A cluster behind the gateway; `down` endpoints refuse connections. */
export class FakeEtcd {
  members: FakeMember[] = [
    {
      ID: '10501334649042878790',
      name: 'cp-1',
      peerURLs: ['https://10.0.0.1:2380'],
      clientURLs: ['https://10.0.0.1:2379'],
      isLearner: false,
    },
  ];
  down = new Set<string>();
  /** Endpoints that accept connections but never answer. */
  silent = new Set<string>();
  calls: { endpoint: string; path: string; body: object }[] = [];
  /** Promotions refused (learner not in sync) before one succeeds. */
  promoteRefusals = 0;
  /** Errors the next calls throw, in order, before answering normally. */
  failNext: Error[] = [];
  nextId = 12345678901234567890n;
  /** Called with each call as it arrives, before it is answered (a test's look at that moment). */
  onCall: ((call: { endpoint: string; path: string; body: object }) => void) | undefined;

  transport: EtcdTransport = async (endpoint, path, body) => {
    this.calls.push({ endpoint, path, body });
    this.onCall?.({ endpoint, path, body });
    if (this.down.has(endpoint))
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    if (this.silent.has(endpoint)) throw new Error('no answer within 2000 ms');
    const injected = this.failNext.shift();
    if (injected) throw injected;
    const b = body as { ID?: string; peerURLs?: string[]; isLearner?: boolean };
    const answer = (extra: object = {}) => ({ header: {}, members: structuredClone(this.members), ...extra });
    switch (path) {
      case '/v3/cluster/member/list':
        return answer();
      case '/v3/cluster/member/add': {
        if (this.members.some((m) => m.peerURLs[0] === b.peerURLs![0]))
          throw new EtcdAPIError('etcdserver: Peer URLs already exists', 9, endpoint);
        const m = {
          ID: String(this.nextId++),
          name: '',
          peerURLs: b.peerURLs!,
          clientURLs: [],
          isLearner: !!b.isLearner,
        };
        this.members.push(m);
        return answer({ member: m });
      }
      case '/v3/cluster/member/promote': {
        const m = this.members.find((x) => x.ID === b.ID);
        if (!m) throw new EtcdAPIError('etcdserver: member not found', 5, endpoint);
        if (!m.isLearner)
          throw new EtcdAPIError('etcdserver: can only promote a learner member', 9, endpoint);
        if (this.promoteRefusals-- > 0)
          throw new EtcdAPIError(
            'etcdserver: can only promote a learner member which is in sync with leader',
            9,
            endpoint,
          );
        m.isLearner = false;
        return answer();
      }
      case '/v3/cluster/member/remove': {
        const i = this.members.findIndex((x) => x.ID === b.ID);
        if (i < 0) throw new EtcdAPIError('etcdserver: member not found', 5, endpoint);
        this.members.splice(i, 1);
        return answer();
      }
    }
    throw new Error(`unexpected path ${path}`);
  };
}
