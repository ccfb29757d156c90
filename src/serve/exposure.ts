// Who can reach the server. On loopback only this machine can; bound beyond it (0.0.0.0, a LAN address) anyone
// on the network could read, delete and upload, so an API key is required there, or an explicit
// --insecure-no-auth whose warning is printed at every start.
export const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export interface Exposure {
  loopback: boolean;
  /** Printed at start when the server is open to the network without a key. */
  warning?: string;
}

export function checkExposure(o: { host: string; apiKey?: string; insecureNoAuth?: boolean }): Exposure {
  const loopback = LOOPBACK_HOST.test(o.host);
  if (loopback || o.apiKey) return { loopback };
  if (!o.insecureNoAuth)
    throw new Error(
      `serve: --host ${o.host} opens the server to the network; set --api-key (or $HOURLLAVA_API_KEY), or pass --insecure-no-auth to serve without one`,
    );
  return {
    loopback,
    warning: `WARNING: serving on ${o.host} without an API key (--insecure-no-auth): anyone who reaches this port can ask, upload and delete files and memories`,
  };
}
