// A TLS-terminating proxy in front of the suite's dev server (which has no TLS of its own), and the
// certificates for it made with openssl: a throwaway CA, a server certificate for localhost/127.0.0.1,
// and a client certificate for mutual TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export interface TestCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting only it must fail. */
  otherCaCert: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const ca of ['ca', 'other-ca']) openssl(dir, 'req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`);
  const leaf = (name: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  leaf('client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const path = (file: string) => join(dir, file);
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    otherCaCert: path('other-ca.crt'),
  };
}

export interface TlsProxy {
  address: string;
  /** Connections that completed the TLS handshake with a valid client certificate. */
  authorized: () => number;
  close: () => Promise<void>;
}

/** Terminates mutual TLS on 127.0.0.1 and passes the plaintext HTTP/2 stream on to `upstream` (host:port). */
export async function startTlsProxy(certs: TestCertificates, upstream: string): Promise<TlsProxy> {
  const separator = upstream.lastIndexOf(':');
  const [host, port] = [upstream.slice(0, separator), Number(upstream.slice(separator + 1))];
  let authorized = 0;
  const sockets = new Set<TLSSocket>();
  const server = createServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC clients insist on HTTP/2 being negotiated.
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      authorized += 1;
      sockets.add(socket);
      const target = connect(port, host);
      socket.pipe(target).pipe(socket);
      const end = () => {
        socket.destroy();
        target.destroy();
        sockets.delete(socket);
      };
      socket.on('error', end).on('close', end);
      target.on('error', end).on('close', end);
    },
  );
  // Refused handshakes are the point of some tests, not a reason to crash.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorized: () => authorized,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
