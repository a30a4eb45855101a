// What a PEM file parsed to, by its exact text. A run reads each CA once per certificate the CA
// signs, and a CA written moments ago by this run is already known: parsing the same bytes again
// (Node's X509Certificate, createPrivateKey) is most of a leaf's CPU time. Keyed by content, an
// entry can never disagree with the file; the bound keeps a long-lived process small.
const LIMIT = 64;

export class ParsedByContent<T> {
  readonly #entries = new Map<string, T>();

  get(text: string): T | undefined {
    return this.#entries.get(text);
  }

  set(text: string, value: T): void {
    this.#entries.delete(text);
    this.#entries.set(text, value);
    if (this.#entries.size > LIMIT) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** A file's text, as the PEM readers decode it (UTF-8): the key of its entry. */
export function pemText(data: string | Uint8Array): string {
  return typeof data === 'string'
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}
