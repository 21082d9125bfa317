import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../api/http/client-address.js';

describe('the client address behind reverse proxies', () => {
  it('is the socket peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', 0)).toBe('203.0.113.7');
  });
  it('is the entry our one proxy appended, not one the client wrote', () => {
    expect(clientAddress('172.18.0.5', '198.51.100.66, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('172.18.0.5', '203.0.113.7', 1)).toBe('203.0.113.7');
  });
  it('counts further hops from the right, and falls back to the socket without a header', () => {
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.7, 10.0.0.9', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', 'only-one', 3)).toBe('only-one');
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', ' , ', 1)).toBe('10.0.0.2');
  });
});
