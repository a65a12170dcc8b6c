/**
 * Plain http is allowed only to hosts on this machine, where it cannot be intercepted on the way:
 * the emulator, a local S3 stand-in, a Pushgateway on localhost. One rule for the token and bulk
 * URLs, S3 endpoints and the Pushgateway.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for hosts on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** https anywhere, or plain http to a loopback host. */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
