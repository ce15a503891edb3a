// Test helpers for stubbing fetch with real Response objects and reading back what the app sent.
import { vi, type Mock } from 'vitest';
import { sessionStorageKey } from '../session';

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export type Route = (url: string, init: RequestInit) => Response | Promise<Response> | undefined;

/** Stubs global fetch; each call is answered by the first route that returns a Response, else 404. */
export function stubFetch(...routes: Route[]): Mock<typeof fetch> {
  const mock = vi.fn<typeof fetch>(async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    for (const route of routes) {
      const response = await route(url, init);
      if (response) return response;
    }
    return jsonResponse({ title: `No stubbed route for ${init.method ?? 'GET'} ${url}` }, 404);
  });
  vi.stubGlobal('fetch', mock);
  return mock;
}

export function callsTo(mock: Mock<typeof fetch>, pathPrefix: string, method?: string) {
  return mock.mock.calls.filter(([input, init]) => {
    const url = String(input);
    return url.startsWith(pathPrefix) && (!method || (init?.method ?? 'GET') === method);
  });
}

export function requestBody(init: RequestInit | undefined): unknown {
  return init?.body ? JSON.parse(String(init.body)) : undefined;
}

export function requestHeader(init: RequestInit | undefined, name: string): string | undefined {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers[key] : undefined;
}

/** A signed-in session in sessionStorage, as the app would have saved it after login. */
export function seedSession(
  overrides: Partial<{ role: 'patient' | 'clinician' | 'admin'; patientId: string | null; displayName: string; username: string }> = {},
  remainingMs = 3_600_000,
) {
  const session = {
    accessToken: 'test-token',
    role: overrides.role ?? 'patient',
    username: overrides.username ?? 'alice',
    displayName: overrides.displayName ?? 'Alice Example',
    patientId: overrides.patientId === undefined ? 'p-1' : overrides.patientId,
    expiresAt: Date.now() + remainingMs,
  };
  // Stored under the key of the app that signs this role in (admins sign in to the clinician app).
  sessionStorage.setItem(sessionStorageKey(session.role === 'patient' ? 'patient' : 'clinician'), JSON.stringify(session));
  return session;
}

// jsdom lays nothing out, so a chart's ResponsiveContainer would measure 0×0 and draw nothing.
class SizedResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target, contentRect: { width: 600, height: 160 } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}

/** Gives every element a 600×160 box, as a browser's layout would, so charts render in component tests. Undo with vi.restoreAllMocks and vi.unstubAllGlobals. */
export function stubChartLayout() {
  vi.stubGlobal('ResizeObserver', SizedResizeObserver);
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue({
    width: 600, height: 160, top: 0, left: 0, right: 600, bottom: 160, x: 0, y: 0, toJSON: () => ({}),
  });
}
