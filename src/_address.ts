/** `host:port` strings, with brackets around IPv6 hosts. */

/** Formats `host:port` (`[v6]:port` for IPv6). */
export function _formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits `host:port` or `[v6]:port`; the host is empty for Redis' `:port` form. */
export function _parseAddress(address: string): { host: string; port: number } {
  const cut = address.lastIndexOf(":");
  let host = address.slice(0, cut);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port: Number(address.slice(cut + 1)) };
}
