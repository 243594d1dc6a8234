/**
 * A throwaway certificate authority and certificates for TLS tests, made with `openssl`: a
 * server certificate for 127.0.0.1 and localhost, and a client certificate for mutual TLS.
 * @module
 */

/** Paths of the PEM files, and their contents. */
export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** PEM text of the CA certificate, for a client's `caCerts`. */
  readonly ca: string;
  /** PEM text of the client certificate and key, for mutual TLS. */
  readonly clientCert: string;
  readonly clientKey: string;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdin: "null", stdout: "null" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Makes the CA and both certificates in `dir`. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  await Deno.mkdir(dir, { recursive: true });
  const days = ["-days", "2"];
  await openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-subj",
    "/CN=rcluster test CA",
    ...days,
  );
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  for (const name of ["server", "client"]) {
    await openssl(
      dir,
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=rcluster test ${name}`,
    );
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
      ...days,
    );
  }
  const read = (f: string) => Deno.readTextFile(`${dir}/${f}`);
  return {
    dir,
    caFile: `${dir}/ca.crt`,
    serverCertFile: `${dir}/server.crt`,
    serverKeyFile: `${dir}/server.key`,
    clientCertFile: `${dir}/client.crt`,
    clientKeyFile: `${dir}/client.key`,
    ca: await read("ca.crt"),
    clientCert: await read("client.crt"),
    clientKey: await read("client.key"),
  };
}
