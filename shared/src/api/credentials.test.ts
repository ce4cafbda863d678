import { describe, expect, it } from 'vitest';
import { credentialOriginSchema, fixedOrigin, originAllowed } from './credentials.ts';

describe('credential origins', () => {
  it('knows a URL template\'s origin only when no template can change it', () => {
    expect(fixedOrigin('https://API.example.com:443/v1/{{data.id}}')).toBe('https://api.example.com');
    expect(fixedOrigin('http://127.0.0.1:8080?x={{a}}')).toBe('http://127.0.0.1:8080');
    expect(fixedOrigin('https://{{data.host}}/x')).toBeUndefined();
    expect(fixedOrigin('https://api.example.com{{data.path}}')).toBeUndefined();
    expect(fixedOrigin('https://api.example.com:{{data.port}}/')).toBeUndefined();
    expect(fixedOrigin('{{data.url}}')).toBeUndefined();
  });

  it('compares scheme, host and port as the URL parser spells them', () => {
    expect(originAllowed('https://api.example.com:443/x', ['https://API.example.com'])).toBe(true);
    expect(originAllowed('http://api.example.com/x', ['https://api.example.com'])).toBe(false);
    expect(originAllowed('https://api.example.com:8443/x', ['https://api.example.com'])).toBe(false);
    expect(originAllowed('https://api.example.com.evil.test/x', ['https://api.example.com'])).toBe(false);
    expect(originAllowed('https://api.example.com@evil.test/x', ['https://api.example.com'])).toBe(false);
  });

  it('accepts a bare origin, normalised, and refuses paths, queries, credentials and other schemes', () => {
    expect(credentialOriginSchema.parse('HTTPS://Api.Example.com:443/')).toBe('https://api.example.com');
    for (const bad of ['https://api.example.com/v1', 'https://api.example.com/?a=1', 'https://u:p@api.example.com', 'ftp://api.example.com', 'api.example.com']) {
      expect(credentialOriginSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
