// The text form of a CA public key pin (`--discovery-token-ca-cert-hash`, caCertHashes):
// `sha256:<64 hex>` over the CA certificate's SubjectPublicKeyInfo, parsed as kubeadm's pubkeypin does.

export interface CAPin {
  algorithm: 'sha256';
  /** Lowercase hex of the 32-byte digest. */
  hex: string;
}

/** Parses a pin, or returns kubeadm's error text for it. */
export function parseCAPinOrError(s: string): CAPin | { error: string } {
  const parts = s.split(':');
  if (parts.length !== 2) return { error: 'invalid public key hash, expected "format:value"' };
  const [format, value] = parts as [string, string];
  if (format.toLowerCase() !== 'sha256') return { error: `unknown hash format "${format}"` };
  // Length is checked before content, with Go's hex.DecodedLen (len/2 rounded down).
  const bytes = Math.floor(value.length / 2);
  if (bytes !== 32) return { error: `expected a 32 byte SHA-256 hash, found ${bytes} bytes` };
  const bad = /[^0-9a-fA-F]/.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0)!;
    const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return { error: `could not decode SHA-256 from hex: encoding/hex: invalid byte: ${u} '${bad[0]}'` };
  }
  if (value.length % 2 !== 0) {
    return { error: 'could not decode SHA-256 from hex: encoding/hex: odd length hex string' };
  }
  return { algorithm: 'sha256', hex: value.toLowerCase() };
}

export function parseCAPin(s: string): CAPin | undefined {
  const r = parseCAPinOrError(s);
  return 'error' in r ? undefined : r;
}

export function formatCAPin(pin: CAPin): string {
  return `${pin.algorithm}:${pin.hex}`;
}
