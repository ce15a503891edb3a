// A controllable stand-in for the browser's EventSource, so tests can open, feed and refuse the alert stream.
import { vi } from 'vitest';

export class MockEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: MockEventSource[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readonly url: string;
  readyState = MockEventSource.CONNECTING;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(url: string) {
    this.url = url;
    MockEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.readyState = MockEventSource.CLOSED;
  }

  /** The server accepted the stream. */
  open() {
    this.readyState = MockEventSource.OPEN;
    this.onopen?.(new Event('open'));
  }

  /** The server sent an event; unnamed events go to onmessage, as in the browser. */
  emit(data: unknown, options: { id?: string; event?: string } = {}) {
    const event = new MessageEvent<string>(options.event ?? 'message', { data: JSON.stringify(data), lastEventId: options.id ?? '' });
    if (!options.event || options.event === 'message') this.onmessage?.(event);
    else this.listeners.get(options.event)?.forEach((listener) => listener(event));
  }

  /** The server refused the stream (e.g. 401): the browser gives up and closes it. */
  refuse() {
    this.readyState = MockEventSource.CLOSED;
    this.onerror?.(new Event('error'));
  }

  /** The connection dropped after it was open: the browser would retry the same URL by itself. */
  drop() {
    this.readyState = MockEventSource.CONNECTING;
    this.onerror?.(new Event('error'));
  }

  static latest(): MockEventSource {
    const source = MockEventSource.instances.at(-1);
    if (!source) throw new Error('No EventSource was opened.');
    return source;
  }

  static install() {
    MockEventSource.instances = [];
    vi.stubGlobal('EventSource', MockEventSource);
  }
}
