// The secure health endpoint the controller-manager and scheduler serve (/healthz, /livez,
// /readyz). Without --tls-cert-file the real components serve a self-signed certificate made at
// start-up, and so does the stand-in.
import { webcrypto } from 'node:crypto';
import * as https from 'node:https';
import { x509Lib } from '../../../src/certs/x509-lib.js';

export async function selfSignedPair(commonName: string): Promise<{ cert: string; key: string }> {
  const x509 = await x509Lib();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
    signingAlgorithm: alg,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

export async function serveHealth(
  name: string,
  bindAddress: string,
  port: number,
  healthy: () => boolean,
): Promise<https.Server> {
  const { cert, key } = await selfSignedPair(`${name}@${Date.now()}`);
  const server = https.createServer({ cert, key }, (req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' });
      return res.end(ok ? 'ok' : 'not healthy');
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindAddress, () => resolve());
  });
  return server;
}
