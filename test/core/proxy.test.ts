import { describe, expect, it } from 'vitest';
import { ERR, type EtlError } from '../../src/core/errors.js';
import { proxyFor, readProxies } from '../../src/core/proxy.js';

const via = (target: string, env: NodeJS.ProcessEnv): string | undefined => proxyFor(new URL(target), readProxies(env))?.href;

describe('which proxy a request goes through', () => {
  it('https_proxy for https, http_proxy for http, neither for the other; the lower-case name wins', () => {
    expect(via('https://api.propel.us/v2', { HTTPS_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128/');
    expect(via('https://api.propel.us/v2', { HTTP_PROXY: 'http://proxy:3128' })).toBeUndefined();
    expect(via('http://127.0.0.1:8080/v2', { HTTPS_PROXY: 'http://127.0.0.1:3128' })).toBeUndefined();
    expect(via('https://api.propel.us/v2', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toBe('http://lower:1/');
    expect(via('https://api.propel.us/v2', { https_proxy: ' ', HTTPS_PROXY: 'http://upper:2' })).toBe('http://upper:2/');
  });

  it('a bare host:port is an http proxy, as curl takes it', () => {
    expect(via('https://api.propel.us/v2', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128/');
  });

  it('NO_PROXY: *, hosts, domains with or without the dot, ports, IPv6; separated by commas or spaces', () => {
    const env = (noProxy: string): NodeJS.ProcessEnv => ({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
    expect(via('https://api.propel.us/v2', env('*'))).toBeUndefined();
    expect(via('https://api.propel.us/v2', env('propel.us'))).toBeUndefined();
    expect(via('https://api.propel.us/v2', env('.propel.us'))).toBeUndefined();
    expect(via('https://api.propel.us/v2', env('*.propel.us'))).toBeUndefined();
    expect(via('https://api.propel.us/v2', env('API.Propel.US'))).toBeUndefined();
    expect(via('https://notpropel.us/v2', env('propel.us'))).toBe('http://proxy:3128/');
    expect(via('https://api.propel.us/v2', env('example.com api.propel.us:443'))).toBeUndefined();
    expect(via('https://api.propel.us:8443/v2', env('api.propel.us:443'))).toBe('http://proxy:3128/');
    expect(via('https://[2001:db8::1]/v2', env('2001:db8::1'))).toBeUndefined();
    expect(via('https://[2001:db8::1]/v2', env('[2001:db8::1]:443'))).toBeUndefined();
    expect(via('https://10.1.2.3/v2', env(''))).toBe('http://proxy:3128/');
  });

  it('a host on this machine is never reached through a proxy elsewhere, but through one on this machine', () => {
    expect(via('http://127.0.0.1:8080/v2', { HTTP_PROXY: 'http://proxy.corp:3128' })).toBeUndefined();
    expect(via('https://localhost:8443/v2', { HTTPS_PROXY: 'http://proxy.corp:3128' })).toBeUndefined();
    expect(via('http://127.0.0.1:8080/v2', { HTTP_PROXY: 'http://127.0.0.1:3128' })).toBe('http://127.0.0.1:3128/');
  });

  it('a proxy variable that is not an http(s) URL is ETL_CONFIG_PROXY naming the variable, never its credentials', () => {
    const fail = (env: NodeJS.ProcessEnv): EtlError => {
      try {
        readProxies(env);
      } catch (e) {
        return e as EtlError;
      }
      throw new Error('no error');
    };
    const socks = fail({ https_proxy: 'socks5://user:Secret-9@proxy:1080' });
    expect([socks.code, socks.exitCode, socks.message]).toEqual([
      ERR.CONFIG_PROXY.code,
      2,
      'https_proxy must be an http:// or https:// proxy URL; got socks5:',
    ]);
    expect(fail({ HTTP_PROXY: 'http://[not-closed' }).message).toBe('HTTP_PROXY is not a URL');
  });
});
