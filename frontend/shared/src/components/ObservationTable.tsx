// Every check-in as a table row, newest first; the accessible counterpart of the charts.
import { capitalise, formatDateTime, formatValue } from '../format';
import type { Observation } from '../types';

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
    <div className="table-wrap">
      <table className="table" data-testid="observation-table">
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
              <td>{formatDateTime(o.measuredAt)}</td>
              <td>{formatValue(o.score)}</td>
              <td>{formatValue(o.heartRate, '/min')}</td>
              <td>{formatValue(o.respiratoryRate, '/min')}</td>
              <td>{formatValue(o.oxygenSaturation, '%')}</td>
              <td>{formatValue(o.onSupplementalOxygen)}</td>
              <td>{o.systolicBp != null || o.diastolicBp != null ? `${o.systolicBp ?? '—'}/${o.diastolicBp ?? '—'}` : '—'}</td>
              <td>{formatValue(o.temperature, '°C')}</td>
              <td>{o.consciousness ? capitalise(o.consciousness) : '—'}</td>
              <td className="table__note">{o.note || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
