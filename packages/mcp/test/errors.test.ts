import { NETWORK_ERRNOS } from '@qi/core';
import { classifyMcpError } from '../src/index';

describe('network errnos (core NETWORK_ERRNOS, shared by every classifier)', () => {
  it.each([...NETWORK_ERRNOS, 'UND_ERR_SOCKET'])(
    '%s under a fetch failure is a retryable network error',
    (errno) => {
      const fetchFailed = new TypeError('fetch failed', {
        cause: Object.assign(new Error(errno), { code: errno }),
      });
      const e = classifyMcpError(fetchFailed, 'http://127.0.0.1:1/mcp');
      expect(e).toMatchObject({ code: 'QI_MCP_NETWORK', category: 'network', retryable: true });
      expect(e.context.errno).toBe(errno);
    },
  );

  it('an unknown error is internal, not retried', () => {
    expect(classifyMcpError(new Error('odd'), 'http://x/mcp')).toMatchObject({
      code: 'QI_INTERNAL',
      retryable: false,
    });
  });
});
