/** Proxy settings as HubHttp takes them; unset ones come from the environment. */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The proxies as undici's EnvHttpProxyAgent fixes them when it is made (NO_PROXY it reads at each request). */
export function proxiesNow(settings: ProxySettings = {}): ProxySettings {
  const env = process.env;
  return {
    httpProxy: settings.httpProxy ?? env.http_proxy ?? env.HTTP_PROXY ?? '',
    httpsProxy: settings.httpsProxy ?? env.https_proxy ?? env.HTTPS_PROXY ?? '',
    ...(settings.noProxy !== undefined ? { noProxy: settings.noProxy } : {}),
  };
}

/**
 * The proxy a URL goes through, or null: HTTP_PROXY for http, HTTPS_PROXY (else HTTP_PROXY) for https, none for
 * hosts NO_PROXY names (exact, or as a parent domain; an optional port; `*` for all). The same rules as undici's
 * EnvHttpProxyAgent, which carries the API calls, so file bodies and API calls always take the same route.
 */
export function proxyFor(target: URL, settings: ProxySettings = {}): URL | null {
  const env = process.env;
  const httpProxy = settings.httpProxy ?? env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = (settings.httpsProxy ?? env.https_proxy ?? env.HTTPS_PROXY) || httpProxy;
  const proxy = target.protocol === 'https:' ? httpsProxy : httpProxy;
  if (!proxy) return null;
  const noProxy = settings.noProxy ?? env.no_proxy ?? env.NO_PROXY ?? '';
  // Kept in brackets for IPv6, as undici compares them.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  return bypasses(noProxy, hostname, port) ? null : new URL(proxy);
}

function bypasses(noProxy: string, hostname: string, port: number): boolean {
  const entries = noProxy.split(/[,\s]/).filter(Boolean);
  if (entries.length === 0) return false;
  if (noProxy === '*') return true;
  for (const entry of entries) {
    const m = /^(.+):(\d+)$/.exec(entry);
    const host = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = m ? Number.parseInt(m[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return true;
  }
  return false;
}
