// Tells the clinician about a new high alert: an optional short beep made with Web Audio (no sound file).
const soundPreferenceKey = 'healthflow.soundForHighAlerts';

let context: AudioContext | null = null;

export function loadSoundPreference(): boolean {
  return localStorage.getItem(soundPreferenceKey) === 'on';
}

/**
 * Browsers only let a page play sound after a user gesture, so the audio context is created (or resumed)
 * when the clinician switches sound on, and reused for every later beep.
 */
export function setSoundPreference(enabled: boolean): void {
  localStorage.setItem(soundPreferenceKey, enabled ? 'on' : 'off');
  if (enabled) {
    const AudioContextClass = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AudioContextClass) return;
    context ??= new AudioContextClass();
    void context.resume();
  }
}

/** Two short 880 Hz tones; silently does nothing where Web Audio is missing or not yet allowed. */
export function beep(): void {
  if (!context || context.state !== 'running') return;
  const start = context.currentTime;
  for (const offset of [0, 0.25]) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.2);
  }
}
