// @peculiar/x509 costs ~100 ms to import and needs the reflect-metadata polyfill loaded before it,
// so it is loaded on first use only (kbadm version and friends never pay for it).

type X509Lib = typeof import('@peculiar/x509');
let loading: Promise<X509Lib> | undefined;

export function x509Lib(): Promise<X509Lib> {
  return (loading ??= (async () => {
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    // Node's WebCrypto does the signing; the library default would look for a global `crypto`.
    const { webcrypto } = await import('node:crypto');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })());
}
