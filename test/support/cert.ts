// A self-signed certificate for HTTPS tests on loopback, made with openssl (which .ci/run installs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Writes key.pem and cert.pem into `dir` for `subjectAltName` (e.g. 'IP:127.0.0.1'); returns their text. */
export function makeTestCert(dir: string, cn: string, subjectAltName: string): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  execFileSync(
    'openssl',
    [...args, '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', keyFile, '-out', certFile],
    {
      stdio: 'ignore',
    },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
