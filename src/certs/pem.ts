// PEM framing as Go's encoding/pem writes it: 64-character base64 lines, a trailing newline.
import { KbadmError } from '../errors.js';

export interface PemBlock {
  type: string;
  der: Buffer;
}

export function encodePem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${type}-----\n`;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block in the text, in order; text between blocks is ignored, as Go's pem.Decode does. */
export function decodePemBlocks(text: string | Uint8Array): PemBlock[] {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const out: PemBlock[] = [];
  for (const m of s.matchAll(BLOCK)) {
    const body = (m[2] ?? '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    out.push({ type: m[1]!, der: Buffer.from(body, 'base64') });
  }
  return out;
}

/** The DER of every CERTIFICATE block; kubeadm's "data does not contain any valid RSA or ECDSA certificates" otherwise. */
export function certificateDers(text: string | Uint8Array): Buffer[] {
  const ders = decodePemBlocks(text)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.der);
  if (ders.length === 0) throw new KbadmError('data does not contain any valid RSA or ECDSA certificates');
  return ders;
}
