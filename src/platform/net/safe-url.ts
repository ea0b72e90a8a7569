import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Outbound HTTP to addresses a user gave us (webhooks, message gateways) without server-side
 * request forgery: http(s) only; loopback, private, link-local (cloud metadata), CGNAT, multicast
 * and reserved addresses refused, IP literals in any form (WHATWG URL turns 0x7f000001, 2130706433
 * and 127.1 into 127.0.0.1) and every address a name resolves to; the connection goes to the
 * address that was checked (the check is the socket's own DNS lookup), so DNS rebinding between
 * check and connect does not work; redirects are never followed.
 */

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(prefix, bits, 'ipv4');
// ::/96 holds :: and ::1 (and deprecated IPv4-compatible forms). IPv4-mapped addresses
// (::ffff:127.0.0.1, written ::ffff:7f00:1 by URL) are checked by BlockList against the IPv4 rules.
for (const [prefix, bits] of [
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv6');
}

export class UnsafeUrlError extends Error {}

/** Whether an IP address is one the public internet routes to us. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function refuse(address: string, host: string): UnsafeUrlError {
  const what = host === address ? address : `${host} (${address})`;
  return new UnsafeUrlError(`${what} is a loopback, private, link-local or reserved address`);
}

/** The URL if it is http(s); its host as an address or name, brackets of IPv6 literals removed. */
function parseHttpUrl(raw: string): { url: URL; host: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UnsafeUrlError('only http and https URLs are allowed');
  return { url, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

/** Every address of a host, each of them checked; IP literals are not looked up. */
async function resolveChecked(host: string, allowPrivate: boolean): Promise<dns.LookupAddress[]> {
  const family = net.isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await dns.promises.lookup(host, { all: true });
  if (!allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) throw refuse(bad.address, host);
  }
  return addresses;
}

/** Checks a URL when it is registered: http(s), and its host resolves to public addresses only. */
export async function checkOutboundUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const { url, host } = parseHttpUrl(raw);
  try {
    await resolveChecked(host, allowPrivate);
  } catch (err) {
    if (err instanceof UnsafeUrlError) throw err;
    throw new UnsafeUrlError(`${host} does not resolve`);
  }
  return url;
}

/** A socket lookup that refuses non-public addresses: what it checks is what the socket connects to. */
function checkedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(hostname, allowPrivate).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (wanted.length === 0)
          return callback(
            Object.assign(new Error(`${hostname}: no address of family ${family}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, wanted);
        callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** POSTs to user-given URLs safely; keeps connections alive between calls. close() when done. */
export class SafeHttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly allowPrivate: boolean) {
    const lookup = checkedLookup(allowPrivate);
    this.agents = {
      http: new http.Agent({ keepAlive: true, lookup }),
      https: new https.Agent({ keepAlive: true, lookup }),
    };
  }

  /** The response's status (redirects are answers, not followed); throws UnsafeUrlError or a network error. */
  async post(raw: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const { url, host } = parseHttpUrl(raw);
    // Sockets skip the lookup for IP literals: check those here.
    if (net.isIP(host) !== 0 && !this.allowPrivate && !isPublicAddress(host)) throw refuse(host, host);
    const secure = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          res.on('error', reject);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.resume();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
