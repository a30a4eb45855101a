// Private keys: generation (the slow kinds asynchronously, so that a whole tree's keys are made in
// parallel on libuv's thread pool), PEM encoding as kubeadm writes it, and parsing of what kubeadm
// accepts.
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  webcrypto,
  type KeyObject,
} from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { promisify } from 'node:util';
import { KbadmError } from '../errors.js';
import { CURVES, ecPrivateKeyDer, ecSpkiDer, fullScalar } from './key-encoding.js';
import { ParsedByContent, pemText } from './parsed-by-content.js';
import { encodePem } from './pem.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const ENCRYPTION_ALGORITHMS = [
  'RSA-2048',
  'RSA-3072',
  'RSA-4096',
  'ECDSA-P256',
  'ECDSA-P384',
] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];
export const DEFAULT_ENCRYPTION_ALGORITHM: EncryptionAlgorithm = 'RSA-2048';

export type KeyType = { kind: 'rsa'; bits: 2048 | 3072 | 4096 } | { kind: 'ec'; curve: 'P-256' | 'P-384' };

/** kubeadm's mapping; an empty value means RSA-2048, anything unknown is an error. */
export function keyTypeOf(algorithm: string): KeyType {
  switch (algorithm) {
    case '':
    case 'RSA-2048':
      return { kind: 'rsa', bits: 2048 };
    case 'RSA-3072':
      return { kind: 'rsa', bits: 3072 };
    case 'RSA-4096':
      return { kind: 'rsa', bits: 4096 };
    case 'ECDSA-P256':
      return { kind: 'ec', curve: 'P-256' };
    case 'ECDSA-P384':
      return { kind: 'ec', curve: 'P-384' };
    default:
      throw new KbadmError(`cannot obtain key size from unknown RSA algorithm: ${JSON.stringify(algorithm)}`);
  }
}

/** A key's encodings, when they were made with it (see generateP256Key). */
interface Encodings {
  /** DER SubjectPublicKeyInfo. */
  spki: Buffer;
  /** The private key as kubeadm writes it. */
  pem: string;
}

/** A private key with its encodings. `toString()` is redacted so a key never lands in a log by accident. */
export class PrivateKey {
  readonly type: KeyType;
  #webKeys?: Promise<CryptoKeyPair>;
  #publicKeyDer?: Buffer;
  readonly #publicKey?: KeyObject;
  readonly #pem?: string;
  /**
   * `publicKey`, when the caller has it (a generated pair), saves deriving it again; `encodings`,
   * when the caller made them, save asking OpenSSL for them.
   */
  constructor(
    readonly keyObject: KeyObject,
    publicKey?: KeyObject,
    encodings?: Encodings,
  ) {
    if (keyObject.type !== 'private') throw new KbadmError('not a private key');
    this.#publicKey = publicKey;
    if (encodings) {
      this.#publicKeyDer = encodings.spki;
      this.#pem = encodings.pem;
    }
    const t = keyObject.asymmetricKeyType;
    if (t === 'rsa') {
      const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
      this.type = { kind: 'rsa', bits: bits as 2048 };
    } else if (t === 'ec') {
      const curve = keyObject.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') this.type = { kind: 'ec', curve: 'P-256' };
      else if (curve === 'secp384r1') this.type = { kind: 'ec', curve: 'P-384' };
      else throw new KbadmError(`unsupported elliptic curve ${String(curve)}`);
    } else {
      throw new KbadmError('the private key is neither in RSA nor ECDSA format');
    }
  }

  /** PEM as kubeadm writes it: PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY". */
  toPem(): string {
    const pem =
      this.#pem ??
      (this.keyObject.export({ format: 'pem', type: this.type.kind === 'rsa' ? 'pkcs1' : 'sec1' }) as string);
    // The file this PEM is written to reads back as this key.
    parsedKeys.set(pem, this);
    return pem;
  }

  /** PKIX "PUBLIC KEY" PEM (sa.pub). */
  publicKeyPem(): string {
    return encodePem('PUBLIC KEY', this.publicKeyDer());
  }

  /** DER SubjectPublicKeyInfo (a copy: callers may keep or change it). */
  publicKeyDer(): Buffer {
    const der = (this.#publicKeyDer ??= (this.#publicKey ?? createPublicKey(this.keyObject)).export({
      format: 'der',
      type: 'spki',
    }));
    return Buffer.from(der);
  }

  /** The same key as WebCrypto keys, for @peculiar/x509 to sign with. */
  webKeys(): Promise<CryptoKeyPair> {
    return (this.#webKeys ??= (async () => {
      const alg = webAlgorithm(this.type);
      const pkcs8 = this.keyObject.export({ format: 'der', type: 'pkcs8' });
      const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);
      const publicKey = await webcrypto.subtle.importKey('spki', this.publicKeyDer(), alg, true, ['verify']);
      return { privateKey, publicKey } as CryptoKeyPair;
    })());
  }

  toString(): string {
    return `[PrivateKey ${describeKeyType(this.type)}]`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export function describeKeyType(t: KeyType): string {
  return t.kind === 'rsa' ? `RSA-${t.bits}` : `ECDSA-${t.curve.replace('-', '')}`;
}

/** The hash Go picks for a signing key: SHA-256, except SHA-384 for P-384. */
export function webAlgorithm(t: KeyType): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return t.kind === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: t.curve };
}

export function signingAlgorithm(t: KeyType): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (t.kind === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm;
  return { name: 'ECDSA', hash: t.curve === 'P-384' ? 'SHA-384' : 'SHA-256' } as webcrypto.EcdsaParams;
}

/**
 * Generates a key for `encryptionAlgorithm`. RSA and P-384 keys take milliseconds and are made in
 * the thread pool; a P-256 key takes tens of microseconds, less than a trip through the pool, and
 * is made at once.
 */
export async function generatePrivateKey(algorithm: string): Promise<PrivateKey> {
  const t = keyTypeOf(algorithm);
  if (t.kind === 'ec' && t.curve === 'P-256') return generateP256Key();
  const pair =
    t.kind === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: t.bits, publicExponent: 65537 })
      : await generateKeyPairAsync('ec', { namedCurve: t.curve });
  return new PrivateKey(pair.privateKey, pair.publicKey);
}

/**
 * A P-256 key from its raw halves (ECDH): the encodings kbadm writes are built from them
 * (key-encoding.ts) instead of asked of OpenSSL, and the KeyObject that signs is made from them.
 * Not a generated KeyObject exported as JWK: Node 20 can deadlock exporting a key as JWK while the
 * garbage collector finalizes the job that generated it.
 */
function generateP256Key(): PrivateKey {
  const ecdh = createECDH('prime256v1');
  const point = ecdh.generateKeys();
  const scalar = ecdh.getPrivateKey();
  const size = CURVES['P-256'].bytes;
  const keyObject = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 1 + size).toString('base64url'),
      y: point.subarray(1 + size).toString('base64url'),
      d: fullScalar('P-256', scalar).toString('base64url'),
    },
    format: 'jwk',
  });
  return new PrivateKey(keyObject, undefined, {
    spki: ecSpkiDer('P-256', point),
    pem: encodePem('EC PRIVATE KEY', ecPrivateKeyDer('P-256', scalar, point)),
  });
}

const parsedKeys = new ParsedByContent<PrivateKey>();

const ACCEPTED_PRIVATE_KEY_BLOCKS = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY']);

/**
 * Parses a private key PEM as client-go's keyutil does (PKCS#1, SEC1 or PKCS#8) and keeps only RSA and
 * ECDSA keys, as kubeadm does. `source` names the file in errors.
 */
export function parsePrivateKeyPem(pem: string | Buffer, source = 'the private key'): PrivateKey {
  const text = pemText(pem);
  const known = parsedKeys.get(text);
  if (known) return known;
  const block = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (!block || !ACCEPTED_PRIVATE_KEY_BLOCKS.has(block[1] ?? '')) {
    throw new KbadmError(`data does not contain a valid RSA or ECDSA private key (${source})`);
  }
  let keyObject: KeyObject;
  try {
    // Only the first private key block counts, as in keyutil.
    const start = block.index;
    const endMarker = `-----END ${block[1]}-----`;
    const end = text.indexOf(endMarker, start);
    keyObject = createPrivateKey({ key: text.slice(start, end + endMarker.length), format: 'pem' });
  } catch (cause) {
    throw new KbadmError(`couldn't parse the private key file ${source}`, { cause });
  }
  const t = keyObject.asymmetricKeyType;
  if (t !== 'rsa' && t !== 'ec') {
    throw new KbadmError(`the private key file ${source} is neither in RSA nor ECDSA format`);
  }
  const key = new PrivateKey(keyObject);
  parsedKeys.set(text, key);
  return key;
}

/** The DER SubjectPublicKeyInfo of a "PUBLIC KEY" PEM such as sa.pub. `source` names the file in errors. */
export function parsePublicKeyPem(pem: string | Buffer, source = 'the public key'): Buffer {
  try {
    return createPublicKey({ key: pem, format: 'pem' }).export({ format: 'der', type: 'spki' });
  } catch (cause) {
    throw new KbadmError(`couldn't parse the public key file ${source}`, { cause });
  }
}

/** True when `key` is the private half of the DER SubjectPublicKeyInfo `spki`. */
export function keyMatchesPublicKey(key: PrivateKey, spki: Uint8Array): boolean {
  return Buffer.compare(key.publicKeyDer(), Buffer.from(spki)) === 0;
}

export const SA_KEY_FILE = 'sa.key';
export const SA_PUB_FILE = 'sa.pub';
export const SA_FILE_MODE = 0o600;
