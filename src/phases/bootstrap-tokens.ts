// Storing bootstrap tokens in the cluster, for `token create` and init's bootstrap-token phase:
// kubeadm's UpdateOrCreateTokens over the ClusterClient port.
import { createOrUpdate } from '../cluster/idempotency.js';
import type { ClusterClient } from '../cluster/types.js';
import type { BootstrapToken } from '../config/model.js';
import { errorMessage, KbadmError } from '../errors.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  bootstrapTokenSecretName,
  bootstrapTokenToSecret,
} from '../tokens/bootstrap-secret.js';
import { parseBootstrapToken } from '../tokens/token-format.js';

export interface StoreTokensOptions {
  /** `token create`: a token whose Secret exists already is an error, not overwritten. */
  failIfExists: boolean;
  /** The time TTLs count from. */
  now: Date;
  /** How long failed writes are retried (timeouts.kubernetesAPICall). */
  timeoutMs: number;
}

/**
 * Writes each token's Secret after a GET (kubeadm's sequence): create-or-update, so a Secret that
 * exists (init run again) or appears in the meantime is overwritten; retried until the timeout.
 */
export async function updateOrCreateTokens(
  cluster: ClusterClient,
  tokens: readonly BootstrapToken[],
  o: StoreTokensOptions,
): Promise<void> {
  for (const token of tokens) {
    const id = parseBootstrapToken(token.token)?.id;
    if (id === undefined) throw new KbadmError('a bootstrap token is not of the form <id>.<secret>');
    const name = bootstrapTokenSecretName(id);
    const ref = { apiVersion: 'v1', kind: 'Secret', namespace: BOOTSTRAP_TOKEN_NAMESPACE, name };
    const existing = await cluster.get(ref);
    if (existing && o.failIfExists) throw new KbadmError(`a token with id "${id}" already exists`);
    try {
      await createOrUpdate(cluster, bootstrapTokenToSecret(token, o.now), { timeoutMs: o.timeoutMs });
    } catch (err) {
      throw new KbadmError(
        `failed to create or update bootstrap token with name ${name}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
}
