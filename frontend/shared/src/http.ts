// The fetch wrapper every API call goes through: bearer token, problem+json errors, and one 401 policy.
import type { ProblemDetails } from './types';

/** The API answered with an error status; `problem` is its RFC 7807 body (or one made from the status). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails;

  constructor(status: number, problem: ProblemDetails) {
    super(problem.title ?? `Request failed with status ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** Validation messages keyed by the camelCase field name, as the API's ValidationProblem sends them. */
  get fieldErrors(): Record<string, string[]> {
    return this.problem.errors ?? {};
  }
}

/** The request never got an answer (server down, network lost); the caller may safely retry idempotent work. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The server could not be reached. Check your connection and try again.', { cause });
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined | null>;
  /** Send the session's bearer token (default). Login and register send none. */
  authenticated?: boolean;
  signal?: AbortSignal;
}

export interface HttpClientOptions {
  getToken: () => string | null;
  /** Called when an authenticated request gets 401: the token expired or was revoked. */
  onUnauthorized: () => void;
}

const fallbackTitles: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'You are not signed in.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  413: 'The request is too large.',
  429: 'Too many attempts. Wait a moment and try again.',
};

/** FHIR's error resource, as far as the web apps read it. */
interface OperationOutcome {
  resourceType?: string;
  issue?: { diagnostics?: string; details?: { text?: string } }[];
}

async function readProblem(response: Response): Promise<ProblemDetails> {
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    try {
      const body = (await response.json()) as ProblemDetails & OperationOutcome;
      if (body && typeof body === 'object' && body.resourceType === 'OperationOutcome') {
        // The FHIR endpoints' error: its issues' texts are the detail.
        const detail = (body.issue ?? []).map((issue) => issue.details?.text ?? issue.diagnostics).filter(Boolean).join(' ');
        return { status: response.status, title: fallbackTitles[response.status] ?? `The server answered ${response.status}`, detail: detail || undefined };
      }
      if (body && typeof body === 'object') {
        return { ...body, title: body.title ?? fallbackTitles[response.status] };
      }
    } catch {
      // A malformed error body still deserves a readable message; fall through to the status text.
    }
  }
  return {
    status: response.status,
    title: fallbackTitles[response.status] ?? `The server answered ${response.status} ${response.statusText}`.trim(),
  };
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export type HttpClient = <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;

export function createHttpClient({ getToken, onUnauthorized }: HttpClientOptions): HttpClient {
  return async function send<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { body, query, signal, authenticated = true } = options;
    const token = authenticated ? getToken() : null;
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;

    let response: Response;
    try {
      response = await fetch(withQuery(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new NetworkError(error);
    }

    if (!response.ok) {
      const problem = await readProblem(response);
      // Only a request that carried a token proves the session is gone; a failed login is just a failed login.
      if (response.status === 401 && token) onUnauthorized();
      throw new ApiError(response.status, problem);
    }

    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
