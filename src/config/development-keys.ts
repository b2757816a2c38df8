import { BlockList, isIP } from 'node:net';
import type { Config } from './config.ts';

/**
 * The credentials of the `default` space in `config/default.json`. They are public (they are in
 * the repository), so main logs a loud warning when they are accepted on a non-loopback address.
 * A unit test keeps this list equal to the file's.
 */
export const DEVELOPMENT_KEYS: readonly string[] = ['dev-write-key', 'dev-access-token', 'dev-admin-token'];

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8 or ::1
 * (also bracketed or IPv4-mapped). `0.0.0.0` and `::` listen on every interface, so they are not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 0) return false;
  return LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when any space accepts one of the public development write keys or tokens. */
export function usesDevelopmentKeys(config: Config, developmentKeys: readonly string[] = DEVELOPMENT_KEYS): boolean {
  const dev = new Set(developmentKeys);
  return config.spaces.some(
    (space) =>
      space.writeKeys.some((source) => dev.has(source.key)) ||
      space.accessTokens.some((token) => dev.has(token)) ||
      space.adminTokens.some((token) => dev.has(token)),
  );
}
