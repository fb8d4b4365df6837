/**
 * SPEC section 6 at the edge: the token (`--token`) and the browser origin check.
 *
 * A token is accepted as `Authorization: Bearer T`, as `?token=T` (what a browser can put on a WebSocket
 * URL), or as the `ringkv_token` cookie. The cookie is set when a request authenticates with `?token=`,
 * so opening `http://node/?token=T` once lets the dashboard and /docs load their assets and open their
 * WebSocket: a browser cannot add an Authorization header to a page load. It is HttpOnly and SameSite=Strict,
 * so other sites cannot ride on it.
 *
 * Origins: non-browser clients send no Origin header and are not checked. A browser is allowed from the
 * node's own addresses (its listen address, its advertised address and, on loopback, the other loopback
 * names), from the `--allow-origin` list, or from anywhere with `*`. On a wildcard listen address the node
 * cannot list its own names, so the origin must then match the Host the browser addressed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const tokenCookieName = 'ringkv_token';

export interface AccessOptions {
  token: string | undefined;
  allowOrigins: readonly string[];
  host: string;
  port: number;
  advertise: string;
}

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]', '::1'];
const wildcardHosts = ['0.0.0.0', '::', '[::]'];

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export type TokenSource = 'none-required' | 'header' | 'query' | 'cookie';

export class Access {
  private readonly tokenDigest: Buffer | undefined;
  private readonly ownHosts: Set<string> | undefined;
  private readonly allowAny: boolean;
  private readonly allowed: Set<string>;

  constructor(options: AccessOptions) {
    this.tokenDigest = options.token === undefined ? undefined : digest(options.token);
    this.allowAny = options.allowOrigins.includes('*');
    this.allowed = new Set(options.allowOrigins);
    if (wildcardHosts.includes(options.host)) {
      this.ownHosts = undefined;
    } else {
      const hosts = [options.host, ...(loopbackHosts.includes(options.host) ? loopbackHosts : [])];
      this.ownHosts = new Set([
        ...hosts.map((host) => `${bracketed(host)}:${options.port}`),
        options.advertise,
      ]);
    }
  }

  get tokenRequired(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** How the request proved the token, or undefined when it did not. Compares in constant time. */
  tokenSource(headers: IncomingHttpHeaders, url: string): TokenSource | undefined {
    if (this.tokenDigest === undefined) return 'none-required';
    const authorization = headers.authorization;
    if (authorization?.startsWith('Bearer ') && this.matches(authorization.slice(7).trim())) return 'header';
    const queryToken = queryParameter(url, 'token');
    if (queryToken !== undefined && this.matches(queryToken)) return 'query';
    const cookieToken = cookieValue(headers.cookie, tokenCookieName);
    if (cookieToken !== undefined && this.matches(cookieToken)) return 'cookie';
    return undefined;
  }

  /** The Set-Cookie header value that remembers a token presented as `?token=`. */
  tokenCookie(token: string): string {
    return `${tokenCookieName}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** True for non-browser clients (no Origin) and for browsers on an allowed origin. */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.allowAny || this.allowed.has(origin)) return true;
    if (!URL.canParse(origin)) return false;
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (this.ownHosts === undefined) return hostHeader !== undefined && url.host === hostHeader.toLowerCase();
    return this.ownHosts.has(url.host);
  }

  private matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest!);
  }
}

export function queryParameter(url: string, name: string): string | undefined {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return undefined;
  return new URLSearchParams(url.slice(queryStart + 1)).get(name) ?? undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const raw = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      // A cookie we cannot decode is no token; the caller answers UNAUTHORIZED.
      return undefined;
    }
  }
  return undefined;
}
