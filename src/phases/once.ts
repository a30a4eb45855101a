// Lazily built, shared run state (a cluster client, discovery, the cluster's configuration): made
// on first use, then handed to every later caller; a failure is not kept, so a later call retries.
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () =>
    (p ??= make().catch((err: unknown) => {
      p = undefined;
      throw err;
    }));
}
