/**
 * Callback URL allow-list. Entries are host names, compared case-insensitively: `api.example.com`
 * matches exactly, `*.example.com` matches any sub-domain (not the apex), and an entry with a port
 * (`localhost:5000`) also pins the port. An empty list accepts nothing.
 */
export function isCallbackHostAllowed(url: string, allowedHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  const hostWithPort = u.port ? `${host}:${u.port}` : host;
  return allowedHosts.some((entryRaw) => {
    const entry = entryRaw.toLowerCase();
    if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    if (entry.includes(':') && !entry.startsWith('[')) return entry === hostWithPort;
    return entry === host;
  });
}
