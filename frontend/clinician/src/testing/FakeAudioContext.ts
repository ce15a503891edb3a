// Web Audio at its edge: the inbox's real beep path runs, and the tones it would play are counted here.
import { vi } from 'vitest';

class FakeNode {
  connect<T>(next: T): T {
    return next;
  }
}

class FakeOscillator extends FakeNode {
  type = 'sine';
  frequency = { value: 0 };
  start() {
    FakeAudioContext.tonesStarted += 1;
  }
  stop() {}
}

class FakeGain extends FakeNode {
  gain = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
}

export class FakeAudioContext {
  static tonesStarted = 0;
  state: 'suspended' | 'running' = 'suspended';
  currentTime = 0;
  destination = new FakeNode();

  resume() {
    this.state = 'running';
    return Promise.resolve();
  }

  createOscillator() {
    return new FakeOscillator();
  }

  createGain() {
    return new FakeGain();
  }

  /** Each beep is two tones. */
  static beeps(): number {
    return FakeAudioContext.tonesStarted / 2;
  }

  static install() {
    FakeAudioContext.tonesStarted = 0;
    vi.stubGlobal('AudioContext', FakeAudioContext);
  }
}
