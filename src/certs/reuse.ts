// What to do with certificate files that already exist, as kubeadm decides it. Pure functions over
// what the caller loaded from disk; the caller does the I/O and prints the messages.
import { KbadmError } from '../errors.js';
import type { PrivateKey } from './keys.js';
import { caBaseName, servingCertMessage, type CertSpec } from './specs.js';
import {
  certificatePeriodWarning,
  checkAltNames,
  keyMatchesCertificate,
  verifyCertChain,
  type CertificateInfo,
} from './x509.js';

/** One file as the caller found it. */
export type Loaded<T> =
  { state: 'missing' } | { state: 'invalid'; error: string } | { state: 'ok'; value: T };

export const MISSING: Loaded<never> = { state: 'missing' };
export function ok<T>(value: T): Loaded<T> {
  return { state: 'ok', value };
}
export function invalid(error: string): Loaded<never> {
  return { state: 'invalid', error };
}

export type CertDecision =
  | { action: 'skip'; messages: string[]; warnings: string[] }
  | { action: 'reuse'; keyless: boolean; messages: string[]; warnings: string[] }
  /** `messages` are printed just before the files are written, as kubeadm does. */
  | { action: 'generate'; messages: string[]; warnings: string[] };

function generatingMessages(spec: CertSpec): string[] {
  const serving = servingCertMessage(spec);
  return [`[certs] Generating "${spec.baseName}" certificate and key`, ...(serving ? [serving] : [])];
}

/**
 * `kubeadm init phase certs <ca>`: reuse a loadable CA (keyless if its key does not load), skip the etcd
 * CA with external etcd, otherwise generate.
 */
export function decideCA(
  spec: CertSpec,
  existing: { cert: Loaded<CertificateInfo>; key: Loaded<PrivateKey> },
  opts: { externalEtcd: boolean; now: Date; files?: PairFiles },
): CertDecision {
  if (opts.externalEtcd && spec.name === 'etcd-ca') {
    return {
      action: 'skip',
      messages: [`[certs] External etcd mode: Skipping ${spec.baseName} certificate authority generation`],
      warnings: [],
    };
  }
  if (existing.cert.state === 'ok') {
    const cert = existing.cert.value;
    const warnings = optional(certificatePeriodWarning(spec.baseName, cert, opts.now));
    if (!cert.isCA) throw new KbadmError(`certificate ${spec.name} is not a CA`);
    if (existing.key.state === 'ok') {
      if (!keyMatchesCertificate(existing.key.value, cert)) {
        throw new KbadmError(
          `${spec.baseName} certificate authority: ${keyMismatch(opts.files ?? { cert: spec.certFile, key: spec.keyFile })}`,
        );
      }
      return {
        action: 'reuse',
        keyless: false,
        messages: [`[certs] Using existing ${spec.baseName} certificate authority`],
        warnings,
      };
    }
    return {
      action: 'reuse',
      keyless: true,
      messages: [`[certs] Using existing ${spec.baseName} keyless certificate authority`],
      warnings,
    };
  }
  if (existing.cert.state === 'invalid' || existing.key.state !== 'missing') {
    throw halfPairError(`${spec.baseName} certificate authority`, spec, existing, opts.files);
  }
  return { action: 'generate', messages: generatingMessages(spec), warnings: [] };
}

/** Host paths of a pair, for messages; the bare file names when the caller has none. */
export interface PairFiles {
  cert: string;
  key: string;
}

/** A key and a certificate that do not belong together, naming both files. */
export function keyMismatch(files: PairFiles): string {
  return `private key ${files.key} does not match the public key of certificate ${files.cert}`;
}

/**
 * A certificate file that does not load, or a private key without its certificate. kbadm writes a
 * pair as one unit that the next run finishes when a run stopped half-way, so a lone key is not
 * kbadm's own: it may be the user's, and a private key is never overwritten. kubeadm refuses here
 * too. The message says which file is there, which is not, and how to go on.
 */
function halfPairError(
  what: string,
  spec: Pick<CertSpec, 'certFile' | 'keyFile'>,
  existing: { cert: Loaded<unknown>; key: Loaded<unknown> },
  files: PairFiles = { cert: spec.certFile, key: spec.keyFile },
): KbadmError {
  if (existing.cert.state === 'invalid')
    return new KbadmError(`failure loading ${what}: ${existing.cert.error}`);
  return new KbadmError(
    `failure loading ${what}: ${files.cert} does not exist, but its private key ${files.key} does. ` +
      `kbadm never overwrites a private key: remove ${files.key} to generate a new pair, or put the certificate for it at ${files.cert}`,
  );
}

function optional(s: string | undefined): string[] {
  return s === undefined ? [] : [s];
}

/**
 * `kubeadm init phase certs <leaf>`: an existing certificate is kept when it chains to its CA (its key
 * and SANs are not checked here); a missing one is generated, which needs the CA's key.
 */
export function decideLeaf(
  spec: CertSpec,
  existing: {
    /** The certificate file: leaf first, then intermediates. */
    cert: Loaded<CertificateInfo[]>;
    key: Loaded<PrivateKey>;
    caCert: Loaded<CertificateInfo>;
    caKey: Loaded<PrivateKey>;
  },
  /** `caFiles`: the CA's pair, so that a missing CA file is named in the error. */
  opts: { externalEtcd: boolean; now: Date; files?: PairFiles; caFiles?: PairFiles },
): CertDecision {
  const caBase = caBaseName(spec);
  if (opts.externalEtcd && spec.caName === 'etcd-ca') {
    return {
      action: 'skip',
      messages: [`[certs] External etcd mode: Skipping ${spec.baseName} certificate generation`],
      warnings: [],
    };
  }
  if (existing.cert.state === 'ok') {
    const [leaf, ...intermediates] = existing.cert.value;
    const warnings = optional(certificatePeriodWarning(spec.baseName, leaf!, opts.now));
    if (existing.caCert.state !== 'ok') {
      throw new KbadmError(
        `[certs] couldn't load CA certificate ${caBase}: ${loadError(existing.caCert, opts.caFiles?.cert)}`,
      );
    }
    warnings.push(...optional(certificatePeriodWarning(caBase, existing.caCert.value, opts.now)));
    const err = verifyCertChain(leaf!, intermediates, existing.caCert.value, opts.now);
    if (err)
      throw new KbadmError(
        `[certs] certificate ${spec.baseName} not signed by CA certificate ${caBase}: ${err}`,
      );
    return {
      action: 'reuse',
      keyless: false,
      messages: [`[certs] Using existing ${spec.baseName} certificate and key on disk`],
      warnings,
    };
  }
  if (existing.cert.state === 'invalid' || existing.key.state !== 'missing') {
    throw halfPairError(`${spec.baseName} certificate`, spec, existing, opts.files);
  }
  requireCA(spec, existing.caCert, existing.caKey, opts.caFiles);
  return { action: 'generate', messages: generatingMessages(spec), warnings: [] };
}

/**
 * The stricter rule of CreatePKIAssets (join --control-plane): an existing pair is kept only if its key
 * loads, it chains to the CA and it is valid for every expected SAN; otherwise it is an error.
 */
export function decideLeafStrict(
  spec: CertSpec,
  existing: {
    cert: Loaded<CertificateInfo[]>;
    key: Loaded<PrivateKey>;
    caCert: Loaded<CertificateInfo>;
    caKey: Loaded<PrivateKey>;
  },
  now: Date,
): CertDecision {
  if (existing.cert.state === 'missing' && existing.key.state === 'missing') {
    requireCA(spec, existing.caCert, existing.caKey);
    return { action: 'generate', messages: generatingMessages(spec), warnings: [] };
  }
  if (existing.key.state !== 'ok')
    throw new KbadmError(`failure loading key for ${spec.baseName}: ${loadError(existing.key)}`);
  if (existing.cert.state !== 'ok') {
    throw new KbadmError(`failure loading certificate for ${spec.name}: ${loadError(existing.cert)}`);
  }
  if (existing.caCert.state !== 'ok') {
    throw new KbadmError(
      `failure loading certificate authority for ${spec.name}: ${loadError(existing.caCert)}`,
    );
  }
  const [leaf, ...intermediates] = existing.cert.value;
  const warnings = optional(certificatePeriodWarning(spec.name, leaf!, now));
  const chainErr = verifyCertChain(leaf!, intermediates, existing.caCert.value, now);
  if (chainErr) throw new KbadmError(`certificate ${spec.baseName} is not signed by corresponding CA`);
  const sanErr = checkAltNames(leaf!, spec.altNames);
  if (sanErr) throw new KbadmError(`certificate ${spec.baseName} is invalid: ${sanErr}`);
  return {
    action: 'reuse',
    keyless: false,
    messages: [`[certs] Using the existing "${spec.baseName}" certificate and key`],
    warnings,
  };
}

/** Why a file did not load; a missing one is named, as Go's open error does, when its path is known. */
export function loadError(l: Loaded<unknown>, shownPath?: string): string {
  if (l.state === 'invalid') return l.error;
  if (l.state === 'missing')
    return shownPath === undefined
      ? 'no such file or directory'
      : `open ${shownPath}: no such file or directory`;
  return '';
}

/** The CA that is about to sign: both halves load, it is a CA, and its key belongs to its certificate. */
function requireCA(
  spec: CertSpec,
  caCert: Loaded<CertificateInfo>,
  caKey: Loaded<PrivateKey>,
  caFiles?: PairFiles,
): void {
  const caBase = caBaseName(spec);
  if (caCert.state !== 'ok' || caKey.state !== 'ok') {
    const err = caCert.state !== 'ok' ? loadError(caCert, caFiles?.cert) : loadError(caKey, caFiles?.key);
    throw new KbadmError(`couldn't load CA certificate ${caBase}: ${err}`);
  }
  if (!caCert.value.isCA) throw new KbadmError(`certificate ${caBase} is not a CA`);
  if (!keyMatchesCertificate(caKey.value, caCert.value)) {
    const files = caFiles ?? { cert: `${caBase}.crt`, key: `${caBase}.key` };
    throw new KbadmError(`couldn't load CA ${caBase}: ${keyMismatch(files)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// External CA mode

export interface SignedPair {
  /** User-facing name in messages, e.g. "API server". */
  uxName: string;
  baseName: string;
  cert: Loaded<CertificateInfo[]>;
  key: Loaded<PrivateKey>;
}

export interface ExternalCAResult {
  external: boolean;
  /** Set when external and a required pair is missing or not signed by the CA. */
  error?: string;
  warnings: string[];
}

/**
 * kubeadm's UsingExternalCA family: a CA whose certificate loads but whose key file does not exist is
 * external; then every pair it must have signed has to exist (key and cert) and chain to it.
 * `caKeyExists` is whether the key file exists at all (kubeadm stats it, it does not parse it).
 */
export function usingExternalCA(
  ca: { baseName: string; uxName: string; cert: Loaded<CertificateInfo>; keyExists: boolean },
  signed: readonly SignedPair[],
  now: Date,
): ExternalCAResult {
  if (ca.cert.state !== 'ok') {
    return {
      external: false,
      error: `failure loading certificate for ${ca.uxName}: ${loadError(ca.cert)}`,
      warnings: [],
    };
  }
  if (!ca.cert.value.isCA)
    return { external: false, error: `certificate ${ca.uxName} is not a CA`, warnings: [] };
  if (ca.keyExists) return { external: false, warnings: [] };
  const warnings = optional(certificatePeriodWarning(ca.uxName, ca.cert.value, now));
  for (const p of signed) {
    if (p.key.state !== 'ok') {
      return {
        external: true,
        error: `failure loading key for ${p.baseName}: ${loadError(p.key)}`,
        warnings,
      };
    }
    if (p.cert.state !== 'ok') {
      return {
        external: true,
        error: `failure loading certificate for ${p.uxName}: ${loadError(p.cert)}`,
        warnings,
      };
    }
    const [leaf, ...intermediates] = p.cert.value;
    warnings.push(...optional(certificatePeriodWarning(p.uxName, leaf!, now)));
    const err = verifyCertChain(leaf!, intermediates, ca.cert.value, now);
    if (err)
      return {
        external: true,
        error: `certificate ${p.uxName} is not signed by corresponding CA: ${err}`,
        warnings,
      };
  }
  return { external: true, warnings };
}

/** The pairs each CA must have signed for external mode, with kubeadm's user-facing names. */
export const EXTERNAL_CA_REQUIREMENTS = {
  ca: {
    uxName: 'CA',
    signed: [
      ['apiserver', 'API server'],
      ['apiserver-kubelet-client', 'API server kubelet client'],
    ],
  },
  'front-proxy-ca': { uxName: 'front-proxy CA', signed: [['front-proxy-client', 'front-proxy client']] },
  'etcd/ca': {
    uxName: 'etcd CA',
    signed: [
      ['apiserver-etcd-client', 'apiserver etcd client'],
      ['etcd/server', 'etcd server'],
      ['etcd/peer', 'etcd peer'],
      ['etcd/healthcheck-client', 'etcd health check client'],
    ],
  },
} as const;

/** init's wrapping of an external-CA failure. */
export function externalCAError(caBaseName: 'ca' | 'front-proxy-ca', err: string): KbadmError {
  return new KbadmError(
    caBaseName === 'ca'
      ? `invalid or incomplete external CA: ${err}`
      : `invalid or incomplete external front-proxy CA: ${err}`,
  );
}

/** `sa` sub-phase: reuse a loadable sa.key (sa.pub is not checked), fail on an unloadable one, else generate. */
export function decideServiceAccountKey(key: Loaded<PrivateKey>, externalCA: boolean): CertDecision {
  if (externalCA) return { action: 'skip', messages: ['[certs] Using existing sa keys'], warnings: [] };
  if (key.state === 'ok')
    return {
      action: 'reuse',
      keyless: false,
      messages: ['[certs] Using the existing "sa" key'],
      warnings: [],
    };
  if (key.state === 'invalid')
    throw new KbadmError('file sa.key existed but it could not be loaded properly');
  return { action: 'generate', messages: ['[certs] Generating "sa" key and public key'], warnings: [] };
}
