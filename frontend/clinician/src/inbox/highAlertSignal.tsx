// Tells the clinician about a new high alert: a banner, and an optional short beep made with Web Audio (no sound file).
import { useEffect } from 'react';
import type { Alert } from '@healthflow/shared';

const soundPreferenceKey = 'healthflow.soundForHighAlerts';

/** An alert raised longer ago than this is backlog (e.g. a replay after reconnecting), not news. */
export const newAlertWindowMs = 10 * 60 * 1000;

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

/**
 * Two short 880 Hz tones, only while the clinician has sound on; silently does nothing where Web Audio is missing or
 * not yet allowed. The preference is read here, not by the callers, because the audio context outlives switching
 * sound off: every view that signals an alert goes through this one check.
 */
export function beep(): void {
  if (!loadSoundPreference() || !context || context.state !== 'running') return;
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

/** A saved "sound on" needs one user gesture in this page before the browser allows audio. */
export function useSoundUnlock(soundOn: boolean): void {
  useEffect(() => {
    if (!soundOn) return;
    const unlock = () => setSoundPreference(true);
    document.addEventListener('pointerdown', unlock, { once: true });
    document.addEventListener('keydown', unlock, { once: true });
    return () => {
      document.removeEventListener('pointerdown', unlock);
      document.removeEventListener('keydown', unlock);
    };
  }, [soundOn]);
}

/** Stays until dismissed (or the alert is acknowledged, which the caller decides): a high alert must not be missable. */
export function HighAlertBanner({ alert, onDismiss }: { alert: Alert; onDismiss: () => void }) {
  return (
    <div className="inbox__banner" role="alert" data-testid="new-high-alert-banner">
      New high alert: <strong>{alert.patientName}</strong>
      {alert.news2 != null && ` · NEWS2 ${alert.news2}`}
      <button type="button" className="button button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
