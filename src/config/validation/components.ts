// Control-plane components: extra args, certSANs, image repositories.
import type { FieldProblem } from '../../errors.js';
import type { APIServer, Arg, ControlPlaneComponent, DNS } from '../model.js';
import { validateCertSANs } from './certs.js';
import { invalid } from './common.js';
import { matchesImageReference } from './image-reference.js';

/**
 * kubeadm's ValidateExtraArgs: every argument needs a name. kubeadm reports the list's path with
 * the value `index <i>`; names are not otherwise checked (a leading `--` is kept as written).
 */
export function validateExtraArgs(args: readonly Arg[], field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  args.forEach((a, i) => {
    if (a.name === '') out.push(invalid(field, `index ${i}`, 'argument has no name'));
  });
  return out;
}

/** kubeadm's ValidateImageRepository: `<repo>/name:tag` must be a valid image reference. */
export function validateImageRepository(repo: string, field: string): FieldProblem[] {
  return matchesImageReference(`${repo}/name:tag`)
    ? []
    : [invalid(field, repo, 'invalid image repository format')];
}

/** kubeadm's ValidateAPIServer. */
export function validateAPIServer(a: APIServer, path: string): FieldProblem[] {
  return [
    ...validateCertSANs(a.certSANs, `${path}.certSANs`),
    ...validateExtraArgs(a.extraArgs, `${path}.extraArgs`),
  ];
}

/** kubeadm's ValidateControllerManager / ValidateScheduler. */
export function validateControlPlaneComponent(c: ControlPlaneComponent, path: string): FieldProblem[] {
  return validateExtraArgs(c.extraArgs, `${path}.extraArgs`);
}

/** kubeadm's ValidateDNS: only an explicit image repository is checked. */
export function validateDNS(dns: DNS, path: string): FieldProblem[] {
  return dns.imageRepository === ''
    ? []
    : validateImageRepository(dns.imageRepository, `${path}.imageRepository`);
}
