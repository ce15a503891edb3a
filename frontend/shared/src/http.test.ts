import { describe, expect, it, vi } from 'vitest';
import { createApi } from './api';
import { ApiError, NetworkError } from './http';
import { jsonResponse, requestHeader, stubFetch } from './testing/fetchMock';

describe('the API client', () => {
  it('sends the bearer token and relative /api URLs with the query encoded', async () => {
    const fetchMock = stubFetch(() => jsonResponse({ items: [], nextCursor: null }));
    const api = createApi({ getToken: () => 'tok', onUnauthorized: vi.fn() });

    await api.getAlerts({ status: 'open', severity: 'high', cursor: 'a b' });

    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/alerts?status=open&severity=high&cursor=a+b');
    expect(requestHeader(init, 'Authorization')).toBe('Bearer tok');
  });

  it('turns a validation problem into an ApiError carrying the title and field errors', async () => {
    stubFetch(() =>
      jsonResponse({ title: 'One or more validation errors occurred.', status: 400, errors: { heartRate: ['Too high.'] } }, 400),
    );
    const api = createApi({ getToken: () => 'tok', onUnauthorized: vi.fn() });

    const failure = await api.submitObservation({ heartRate: 999 }, 'key').catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem.title).toBe('One or more validation errors occurred.');
    expect((failure as ApiError).fieldErrors).toEqual({ heartRate: ['Too high.'] });
  });

  it('signs the user out on a 401 to an authenticated request', async () => {
    stubFetch(() => jsonResponse({ title: 'Unauthorized' }, 401));
    const onUnauthorized = vi.fn();
    const api = createApi({ getToken: () => 'expired', onUnauthorized });

    await expect(api.getPatients()).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('does not treat a failed login as an expired session', async () => {
    stubFetch(() => jsonResponse({ title: 'Invalid username or password.' }, 401));
    const onUnauthorized = vi.fn();
    const api = createApi({ getToken: () => null, onUnauthorized });

    await expect(api.login({ username: 'a', password: 'b' })).rejects.toThrow('Invalid username or password.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('gives a readable title when the error body is not problem+json', async () => {
    stubFetch(() => new Response('upstream down', { status: 502, statusText: 'Bad Gateway' }));
    const api = createApi({ getToken: () => 'tok', onUnauthorized: vi.fn() });

    await expect(api.getPatients()).rejects.toThrow('The server answered 502 Bad Gateway');
  });

  it('reports an unreachable server as a NetworkError', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const api = createApi({ getToken: () => 'tok', onUnauthorized: vi.fn() });

    await expect(api.getPatients()).rejects.toBeInstanceOf(NetworkError);
  });
});
