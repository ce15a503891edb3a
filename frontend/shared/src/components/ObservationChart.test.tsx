import { render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubChartLayout } from '../testing/fetchMock';
import type { Observation } from '../types';
import { ObservationChart, missedCheckInLabel } from './ObservationChart';

const observations: Observation[] = [
  { observationId: 'o-1', measuredAt: '2026-12-07T08:55:00Z', score: 3, heartRate: 80 },
  { observationId: 'o-2', measuredAt: '2026-12-08T09:05:00Z', score: 4, heartRate: 84 },
];

beforeEach(() => {
  stubChartLayout();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('missed check-ins on the vital-sign charts', () => {
  it('labels a missed window by its due time in the given zone, which it names', () => {
    expect(missedCheckInLabel('2026-12-07T14:00:00Z', 'Europe/London')).toBe('Missed check-in due 14:00 GMT on 7 Dec');
    expect(missedCheckInLabel('2026-07-07T13:00:00Z', 'Europe/London')).toBe('Missed check-in due 14:00 BST on 7 Jul');
  });

  it('marks each missed check-in on every chart, with its label for assistive technology', async () => {
    render(<ObservationChart observations={observations} missedCheckIns={['2026-12-07T20:00:00Z']} timeZone="Europe/London" />);

    const charts = screen.getAllByRole('figure');
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart).toHaveAccessibleName(expect.stringContaining('Missed check-in due 20:00 GMT on 7 Dec.'));
      expect(await within(chart).findByRole('img', { name: 'Missed check-in due 20:00 GMT on 7 Dec' })).toBeInTheDocument();
    }
  });

  it('shows a missed check-in after the latest measurement too, widening the time axis to it', async () => {
    render(<ObservationChart observations={observations} missedCheckIns={['2026-12-08T14:00:00Z']} timeZone="Europe/London" />);

    expect(await screen.findAllByRole('img', { name: 'Missed check-in due 14:00 GMT on 8 Dec' })).toHaveLength(2);
  });

  it('marks nothing without missed check-ins', async () => {
    render(<ObservationChart observations={observations} timeZone="Europe/London" />);

    await screen.findAllByRole('figure');
    expect(screen.queryByTestId('missed-check-in-marker')).not.toBeInTheDocument();
    expect(screen.getAllByRole('figure')[0]).toHaveAccessibleName(expect.not.stringContaining('Missed'));
  });
});
