// ClusterConfiguration.etcd: local (stacked) or external, never both.
import type { FieldProblem } from '../../errors.js';
import type { Etcd } from '../model.js';
import { validateCertSANs } from './certs.js';
import { invalid, required, validateAbsolutePath } from './common.js';
import { validateExtraArgs, validateImageRepository } from './components.js';
import { goParseURL } from './go-compat.js';

/** kubeadm's ValidateURLs: each must parse and have a scheme; `https` when client certs are used. */
export function validateURLs(urls: readonly string[], requireHTTPS: boolean, field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const s of urls) {
    const u = goParseURL(s);
    if ('error' in u) {
      out.push(invalid(field, s, `URL parse error: ${u.error}`));
      continue;
    }
    if (requireHTTPS && u.scheme !== 'https')
      out.push(invalid(field, s, 'the URL must be using the HTTPS scheme'));
    if (u.scheme === '') out.push(invalid(field, s, 'the URL without scheme is not allowed'));
  }
  return out;
}

/** kubeadm's ValidateEtcd. `path` is e.g. `ClusterConfiguration.etcd`. */
export function validateEtcd(e: Etcd, path: string): FieldProblem[] {
  if (!e.local && !e.external) return [invalid(path, '', 'either .Etcd.Local or .Etcd.External is required')];
  if (e.local && e.external)
    return [invalid(path, '', '.Etcd.Local and .Etcd.External are mutually exclusive')];
  const out: FieldProblem[] = [];
  if (e.local) {
    const p = `${path}.local`;
    out.push(...validateAbsolutePath(e.local.dataDir, `${p}.dataDir`));
    out.push(...validateCertSANs(e.local.serverCertSANs, `${p}.serverCertSANs`));
    out.push(...validateCertSANs(e.local.peerCertSANs, `${p}.peerCertSANs`));
    if (e.local.imageRepository !== '') {
      out.push(...validateImageRepository(e.local.imageRepository, `${p}.imageRepository`));
    }
    out.push(...validateExtraArgs(e.local.extraArgs, `${p}.extraArgs`));
  }
  if (e.external) {
    const p = `${path}.external`;
    const x = e.external;
    // Plain http is only acceptable when no TLS material is configured at all.
    const requireHTTPS = x.caFile !== '' || x.certFile !== '' || x.keyFile !== '';
    if ((x.certFile === '') !== (x.keyFile === '')) {
      out.push(
        invalid(
          p,
          '',
          'either both or none of .Etcd.External.CertFile and .Etcd.External.KeyFile must be set',
        ),
      );
    }
    if (x.certFile !== '' && x.keyFile !== '' && x.caFile === '') {
      out.push(
        invalid(
          p,
          '',
          'setting .Etcd.External.CertFile and .Etcd.External.KeyFile requires .Etcd.External.CAFile',
        ),
      );
    }
    // kbadm's own rule: kubeadm would render an apiserver with an empty --etcd-servers.
    if (x.endpoints.length === 0)
      out.push(required(`${p}.endpoints`, 'at least one etcd endpoint is required'));
    out.push(...validateURLs(x.endpoints, requireHTTPS, `${p}.endpoints`));
    if (x.caFile !== '') out.push(...validateAbsolutePath(x.caFile, `${p}.caFile`));
    if (x.certFile !== '') out.push(...validateAbsolutePath(x.certFile, `${p}.certFile`));
    if (x.keyFile !== '') out.push(...validateAbsolutePath(x.keyFile, `${p}.keyFile`));
  }
  return out;
}
