import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";

import { ContentUnavailableError, ContentUriRefusedError } from "./errors.ts";

/**
 * Which hosts a content fetch may reach. The default (`{}`) is public addresses only: a URI a
 * stranger posted on chain must not aim the fetcher at its own machine or network.
 */
export type NetworkAccessOptions = {
  /**
   * Reach any address, private and loopback included (default false). For local development
   * only: a local chain, a content server on 127.0.0.1.
   */
  allowPrivateNetworks?: boolean;
  /**
   * Hosts reachable whatever they resolve to: host names (`"localhost"`, `"content.lan"`,
   * matched exactly, case-insensitively), IP addresses (`"127.0.0.1"`, `"::1"`) or CIDR ranges
   * (`"10.1.0.0/16"`), matched against the addresses a name resolves to.
   */
  allowHosts?: readonly string[];
};

/** The address a vetted host resolved to, to connect to (and nothing else). */
export type VettedAddress = { address: string; family: 4 | 6 };

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true`); injectable for tests. */
export type ResolveHost = (hostname: string) => Promise<VettedAddress[]>;

const defaultResolve: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * Addresses that are not the public internet: "this network", loopback, RFC 1918 private,
 * CGNAT, link-local, IETF protocol assignments, documentation and benchmarking ranges,
 * multicast and reserved (IPv4); unspecified, loopback, discard, documentation, unique-local,
 * link-local, site-local and multicast (IPv6). IPv4-mapped IPv6 addresses are checked by
 * `BlockList` against the IPv4 rules; other IPv6 forms that embed an IPv4 address
 * (IPv4-compatible, NAT64, 6to4) are unwrapped by `embeddedIpv4` and checked as IPv4.
 */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  const v4: Array<[string, number]> = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.88.99.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, "ipv4");
  const v6: Array<[string, number]> = [
    ["::", 128],
    ["::1", 128],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
  ];
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, "ipv6");
  return list;
})();

/** The 16 bytes of an IPv6 address in text form (already validated by `isIP`). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address.split("%", 1)[0]!;
  const bytes = new Uint8Array(16);
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? (text.split("::") as [string, string]) : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g || "0", 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  });
  return bytes;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 or 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const b = ipv6Bytes(address);
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const quad = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
  if (zeros(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) {
    // `::` and `::1` are themselves blocked IPv6 addresses, not IPv4 ones.
    if (b[10] === 0 && zeros(12, 15)) return undefined;
    return quad(12);
  }
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return quad(12);
  // 2002:a.b.c.d::/48 (6to4)
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2);
  return undefined;
}

/**
 * Whether `address` (an IP address in text form) is on the public internet. Anything that does
 * not parse as an IP address is not.
 *
 * @example
 * isPublicAddress("93.184.216.34") // true
 * isPublicAddress("::ffff:7f00:1") // false (127.0.0.1, IPv4-mapped)
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NON_PUBLIC.check(address, "ipv4");
  const plain = address.split("%", 1)[0]!;
  if (NON_PUBLIC.check(plain, "ipv6")) return false;
  const inner = embeddedIpv4(plain);
  return inner === undefined || !NON_PUBLIC.check(inner, "ipv4");
}

/** A URL's host as a name or a bare IP address (IPv6 without brackets). */
function bareHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** `allowHosts` split into names and an address list. */
function compileAllowHosts(entries: readonly string[]): { names: Set<string>; addresses: BlockList } {
  const names = new Set<string>();
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    const [net, prefix] = entry.split("/") as [string, string | undefined];
    const bare = net.startsWith("[") && net.endsWith("]") ? net.slice(1, -1) : net;
    const family = isIP(bare);
    if (family === 0) {
      if (prefix !== undefined) throw new TypeError(`allowHosts: "${raw}" is neither a host name, an IP address nor a CIDR range`);
      names.add(entry);
      continue;
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) addresses.addAddress(bare, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128))
        throw new TypeError(`allowHosts: bad prefix in "${raw}"`);
      addresses.addSubnet(bare, bits, type);
    }
  }
  return { names, addresses };
}

/**
 * The network rule a fetch applies to each URL it requests (the first and every redirect):
 * resolve the host, refuse it unless every address is public (or allowed), and connect only to
 * the address that was vetted.
 */
export type AddressPolicy = {
  /** Vets the URL's host; returns the address to connect to, or throws `ContentUriRefusedError`. */
  vet(url: URL, uri: string): Promise<VettedAddress | undefined>;
  /** Whether this policy lets everything through (no vetting). */
  readonly open: boolean;
};

/**
 * The address policy of `options` (public addresses only by default). `vet` resolves the URL's
 * host itself (`dns.lookup`, all addresses; IP literals, including the numeric forms WHATWG URL
 * normalizes such as `2130706433` or `0x7f.1`, are taken as they are) and throws
 * `ContentUriRefusedError` if any address is loopback, private, link-local, unique-local, CGNAT,
 * multicast, reserved or an IPv6 form of one, unless the host or address is in `allowHosts`.
 *
 * @example
 * const policy = createAddressPolicy({ allowHosts: ["127.0.0.1"] })
 * const pinned = await policy.vet(new URL(uri), uri)
 */
export function createAddressPolicy(options: NetworkAccessOptions = {}, resolveHost: ResolveHost = defaultResolve): AddressPolicy {
  const open = options.allowPrivateNetworks === true;
  const allow = compileAllowHosts(options.allowHosts ?? []);
  const allowedAddress = (a: VettedAddress) => allow.addresses.check(a.address.split("%", 1)[0]!, a.family === 4 ? "ipv4" : "ipv6");
  return {
    open,
    async vet(url, uri) {
      const host = bareHost(url);
      const literal = isIP(host);
      let addresses: VettedAddress[];
      if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
      else if (open)
        return undefined; // the system resolver, as for any other connection
      else {
        try {
          addresses = await resolveHost(host);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? "error";
          throw new ContentUnavailableError({ source: uri, retryable: true, details: `${host} does not resolve (${code})`, cause: error });
        }
        if (addresses.length === 0)
          throw new ContentUnavailableError({ source: uri, retryable: true, details: `${host} resolves to no address` });
      }
      if (open || allow.names.has(host.toLowerCase())) return addresses[0];
      const refused = addresses.find((a) => !isPublicAddress(a.address) && !allowedAddress(a));
      if (refused) {
        throw new ContentUriRefusedError({
          uri,
          host,
          address: refused.address,
          reason: "it is not a public address (loopback, private, link-local, reserved or multicast)",
        });
      }
      return addresses[0];
    },
  };
}

/**
 * A `lookup` for `net.connect` / `http.request` that answers every name with `address` (the one
 * that was vetted), so the connection cannot go anywhere else (no second DNS answer: no rebinding).
 */
export function pinnedLookup(pinned: VettedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean } | number | undefined, callback: (...args: unknown[]) => void) => {
    const cb = typeof options === "function" ? (options as (...args: unknown[]) => void) : callback;
    const all = typeof options === "object" && options !== null && options.all === true;
    if (all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}
