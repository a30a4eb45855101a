// nodeRegistration (Init/Join), the CRI socket, image pull policy and ignored preflight checks.
import type { FieldProblem } from '../../errors.js';
import type { NodeRegistrationOptions } from '../model.js';
import { dns1123SubdomainErrors } from '../names.js';
import { invalid, required } from './common.js';
import { validateExtraArgs } from './components.js';
import { goParseURL, goQuote } from './go-compat.js';

/** Linux CRI endpoints are unix sockets (`npipe` is the Windows scheme, which kbadm does not target). */
export const CRI_SOCKET_URL_SCHEME = 'unix';
export const IMAGE_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

const NODE_NAME_REQUIRED =
  "--node-name or .nodeRegistration.name in the config file is a required value. It seems like this value couldn't be automatically detected in your environment, please specify the desired value using the CLI or config file.";

/** kubeadm's ValidateSocketPath: a `unix://` URL (defaulting has already added a missing scheme). */
export function validateSocketPath(socket: string, field: string): FieldProblem[] {
  if (socket === '') return [invalid(field, socket, 'empty CRI socket')];
  const u = goParseURL(socket);
  if ('error' in u) return [invalid(field, socket, `URL parsing error: ${u.error}`)];
  if (u.scheme !== CRI_SOCKET_URL_SCHEME) {
    return [
      invalid(
        field,
        socket,
        `only URL scheme ${goQuote(CRI_SOCKET_URL_SCHEME)} is supported, got ${goQuote(u.scheme)}`,
      ),
    ];
  }
  return [];
}

/** kubeadm's ValidateImagePullPolicy ('' is allowed: it means the default). */
export function validateImagePullPolicy(policy: string, field: string): FieldProblem[] {
  if (policy === '' || (IMAGE_PULL_POLICIES as readonly string[]).includes(policy)) return [];
  return [invalid(field, policy, 'invalid pull policy')];
}

export const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

/**
 * kbadm's own check (kubeadm leaves taints to the API server, which rejects the Node later): a key
 * and a known effect.
 */
export function validateTaints(taints: NodeRegistrationOptions['taints'], field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  (taints ?? []).forEach((t, i) => {
    if (t.key === '') out.push(required(`${field}[${i}].key`, 'a taint key is required'));
    if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) {
      out.push(
        invalid(
          `${field}[${i}].effect`,
          t.effect,
          `Unsupported value; supported values: ${TAINT_EFFECTS.map((e) => goQuote(e)).join(', ')}`,
        ),
      );
    }
  });
  return out;
}

/** kubeadm's ValidateNodeRegistrationOptions. `path` is e.g. `InitConfiguration.nodeRegistration`. */
export function validateNodeRegistrationOptions(nro: NodeRegistrationOptions, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (nro.name === '') out.push(required(path, NODE_NAME_REQUIRED));
  else for (const e of dns1123SubdomainErrors(nro.name)) out.push(invalid(`${path}.name`, nro.name, e));
  out.push(...validateSocketPath(nro.criSocket, `${path}.criSocket`));
  out.push(...validateExtraArgs(nro.kubeletExtraArgs, `${path}.kubeletExtraArgs`));
  out.push(...validateImagePullPolicy(nro.imagePullPolicy, `${path}.imagePullPolicy`));
  out.push(...validateTaints(nro.taints, `${path}.taints`));
  out.push(...validateIgnorePreflightErrorsField(nro.ignorePreflightErrors, `${path}.ignorePreflightErrors`));
  return out;
}

/**
 * kubeadm's ValidateIgnorePreflightErrors: the lower-cased union of the flag's and the file's
 * values; `all` cannot be combined with individual checks.
 */
export function validateIgnorePreflightErrors(
  fromFlags: readonly string[],
  fromConfig: readonly string[],
): { ignored: Set<string>; errors: FieldProblem[] } {
  const ignored = new Set([...fromConfig, ...fromFlags].map((s) => s.toLowerCase()));
  const errors: FieldProblem[] = [];
  if (ignored.has('all') && ignored.size > 1) {
    errors.push(
      invalid(
        'ignore-preflight-errors',
        [...ignored].sort().join(','),
        "don't specify individual checks if 'all' is used",
      ),
    );
  }
  return { ignored, errors };
}

/** The `all`-with-others rule applied to one configuration list (the command merges in its flag). */
export function validateIgnorePreflightErrorsField(list: readonly string[], field: string): FieldProblem[] {
  const lower = new Set(list.map((s) => s.toLowerCase()));
  if (!lower.has('all') || lower.size === 1) return [];
  return [invalid(field, list, "don't specify individual checks if 'all' is used")];
}
