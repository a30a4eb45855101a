// Storing bootstrap tokens in the cluster, for `token create` and init's bootstrap-token phase:
// kubeadm's UpdateOrCreateTokens over the ClusterClient port.
import { isAlreadyExists, type ClusterClient } from '../cluster/types.js';
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
}

/**
 * Writes each token's Secret: POST, and PUT when the Secret appeared in the meantime (or exists and
 * the caller overwrites, as init does).
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
    const secret = bootstrapTokenToSecret(token, o.now);
    try {
      if (existing) await cluster.update(secret);
      else {
        try {
          await cluster.create(secret);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          await cluster.update(secret);
        }
      }
    } catch (err) {
      throw new KbadmError(
        `failed to create or update bootstrap token with name ${name}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
}
