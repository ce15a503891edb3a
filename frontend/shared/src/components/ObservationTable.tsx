// Every check-in as a table row, newest first; the accessible counterpart of the charts.
import { capitalise, formatDateTime, formatValue } from '../format';
import type { Observation } from '../types';
import { ScrollRegion } from './ScrollRegion';

export function ObservationTable({ observations }: { observations: Observation[] }) {
  if (observations.length === 0) {
    return (
      <p className="empty" data-testid="observations-empty">
        No check-ins yet.
      </p>
    );
  }
  const rows = [...observations].sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
  return (
    <ScrollRegion label="Check-ins">
      {/* On a phone each check-in is a card of labelled values (styles.css, .table--cards), not ten columns. */}
      <table className="table table--cards" data-testid="observation-table">
        <caption className="visually-hidden">Check-ins, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Measured</th>
            <th scope="col">Score</th>
            <th scope="col">Heart rate</th>
            <th scope="col">Resp. rate</th>
            <th scope="col">SpO₂</th>
            <th scope="col">O₂</th>
            <th scope="col">BP</th>
            <th scope="col">Temp.</th>
            <th scope="col">Consciousness</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.observationId} data-testid="observation-row">
              <td data-label="Measured">{formatDateTime(o.measuredAt)}</td>
              <td data-label="Score">{formatValue(o.score)}</td>
              <td data-label="Heart rate">{formatValue(o.heartRate, '/min')}</td>
              <td data-label="Resp. rate">{formatValue(o.respiratoryRate, '/min')}</td>
              <td data-label="SpO₂">{formatValue(o.oxygenSaturation, '%')}</td>
              <td data-label="O₂">{formatValue(o.onSupplementalOxygen)}</td>
              <td data-label="BP">{o.systolicBp != null || o.diastolicBp != null ? `${o.systolicBp ?? '—'}/${o.diastolicBp ?? '—'}` : '—'}</td>
              <td data-label="Temp.">{formatValue(o.temperature, '°C')}</td>
              <td data-label="Consciousness">{o.consciousness ? capitalise(o.consciousness) : '—'}</td>
              <td className="table__note" data-label="Note">{o.note || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
