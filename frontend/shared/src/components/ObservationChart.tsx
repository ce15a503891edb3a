// Recent vitals and symptom scores as small line charts, one per measurement, oldest to newest, with each missed
// check-in marked at its due time.
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClockInZone, formatDateTime, formatNumber, formatShortDateTime } from '../format';
import type { Observation } from '../types';

type NumericField = 'score' | 'heartRate' | 'respiratoryRate' | 'oxygenSaturation' | 'systolicBp' | 'diastolicBp' | 'temperature';

interface Series {
  field: NumericField;
  name: string;
  colour: string;
}

interface Panel {
  key: string;
  title: string;
  unit: string;
  series: Series[];
  domain?: [number, number];
  ticks?: number[];
}

const panels: Panel[] = [
  { key: 'score', title: 'Symptom score', unit: '', series: [{ field: 'score', name: 'Score', colour: '#7c3aed' }], domain: [0, 10], ticks: [0, 2, 4, 6, 8, 10] },
  { key: 'heartRate', title: 'Heart rate', unit: '/min', series: [{ field: 'heartRate', name: 'Heart rate', colour: '#dc2626' }] },
  {
    key: 'respiratoryRate',
    title: 'Respiratory rate',
    unit: '/min',
    series: [{ field: 'respiratoryRate', name: 'Respiratory rate', colour: '#0891b2' }],
  },
  {
    key: 'oxygenSaturation',
    title: 'Oxygen saturation',
    unit: '%',
    series: [{ field: 'oxygenSaturation', name: 'SpO₂', colour: '#2563eb' }],
  },
  {
    key: 'bp',
    title: 'Blood pressure',
    unit: 'mmHg',
    series: [
      { field: 'systolicBp', name: 'Systolic', colour: '#b45309' },
      { field: 'diastolicBp', name: 'Diastolic', colour: '#d97706' },
    ],
  },
  { key: 'temperature', title: 'Temperature', unit: '°C', series: [{ field: 'temperature', name: 'Temperature', colour: '#059669' }] },
];

type Point = { time: number } & Partial<Record<NumericField, number>>;

function toPoints(observations: Observation[]): Point[] {
  return observations
    .map((o) => {
      const point: Point = { time: new Date(o.measuredAt).getTime() };
      for (const panel of panels) {
        for (const { field } of panel.series) {
          const value = o[field];
          if (typeof value === 'number') point[field] = value;
        }
      }
      return point;
    })
    .filter((p) => !Number.isNaN(p.time))
    .sort((a, b) => a.time - b.time);
}

function latest(points: Point[], field: NumericField): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const value = points[i][field];
    if (value !== undefined) return value;
  }
  return undefined;
}

const missedColour = '#b91c1c';

interface Missed {
  time: number;
  label: string;
}

/** "Missed check-in due 14:00 GMT on 7 Dec": a missed window's due time in `timeZone`, which it names. */
export function missedCheckInLabel(dueAt: string, timeZone: string): string {
  const at = new Date(dueAt);
  const part = (options: Intl.DateTimeFormatOptions, type: Intl.DateTimeFormatPartTypes) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, ...options }).formatToParts(at).find((p) => p.type === type)?.value ?? '';
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short' }).format(at);
  return `Missed check-in due ${formatClockInZone(dueAt, timeZone)} ${part({ timeZoneName: 'short' }, 'timeZoneName')} on ${day}`;
}

// The marker's head: a cross and its words, so neither the colour nor the line alone carries the meaning.
function MissedMarker({ viewBox, label }: { viewBox?: { x?: number; y?: number }; label: string }) {
  const x = viewBox?.x ?? 0;
  const y = viewBox?.y ?? 0;
  return (
    <g role="img" aria-label={label} data-testid="missed-check-in-marker">
      <title>{label}</title>
      <text x={x} y={y + 10} textAnchor="middle" fontSize={12} fontWeight={700} fill={missedColour}>
        ✕
      </text>
    </g>
  );
}

interface ObservationChartProps {
  observations: Observation[];
  /** The due times of missed check-ins (their alerts' `missedDueAt`), each marked on every chart. */
  missedCheckIns?: string[];
  /** The zone the markers' labels are written in; the reader's own by default, as the axis is. */
  timeZone?: string;
}

export function ObservationChart({ observations, missedCheckIns = [], timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone }: ObservationChartProps) {
  const points = toPoints(observations);
  const missed: Missed[] = missedCheckIns
    .map((dueAt) => ({ time: new Date(dueAt).getTime(), label: missedCheckInLabel(dueAt, timeZone) }))
    .filter((m) => !Number.isNaN(m.time))
    .sort((a, b) => a.time - b.time);
  const missedSummary = missed.length === 0 ? '' : ` ${missed.map((m) => m.label).join('. ')}.`;
  const shown = panels.filter((panel) => panel.series.some((s) => points.some((p) => p[s.field] !== undefined)));
  if (shown.length === 0) {
    return <p className="empty">No measurements to chart yet.</p>;
  }

  return (
    <div className="charts" data-testid="observation-chart">
      {shown.map((panel) => {
        const summary = panel.series
          .map((s) => {
            const value = latest(points, s.field);
            return `${s.name} latest ${value === undefined ? 'not recorded' : `${formatNumber(value)}${panel.unit ? ` ${panel.unit}` : ''}`}`;
          })
          .join(', ');
        return (
          <figure className="chart" key={panel.key} aria-label={`${panel.title} over time. ${summary}.${missedSummary}`}>
            <figcaption className="chart__title">
              {panel.title}
              {panel.unit && <span className="chart__unit"> ({panel.unit})</span>}
            </figcaption>
            <ResponsiveContainer width="100%" height={160} minWidth={200}>
              <LineChart data={points} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis
                  dataKey="time"
                  type="number"
                  scale="time"
                  domain={['dataMin', 'dataMax']}
                  tickFormatter={(t: number) => formatShortDateTime(new Date(t).toISOString())}
                  tick={{ fontSize: 11 }}
                  minTickGap={24}
                />
                <YAxis
                  domain={panel.domain ?? ['auto', 'auto']}
                  ticks={panel.ticks}
                  tickFormatter={(v: number) => formatNumber(v)}
                  tick={{ fontSize: 11 }}
                  width={40}
                />
                <Tooltip
                  labelFormatter={(t) => formatDateTime(new Date(Number(t)).toISOString())}
                  formatter={(value, name) => [`${typeof value === 'number' ? formatNumber(value) : value}${panel.unit ? ` ${panel.unit}` : ''}`, name]}
                />
                {panel.series.map((s) => (
                  <Line
                    key={s.field}
                    type="monotone"
                    dataKey={s.field}
                    name={s.name}
                    stroke={s.colour}
                    strokeWidth={2}
                    dot={{ r: 3 }}
                    connectNulls
                    isAnimationActive={false}
                  />
                ))}
                {missed.map((m) => (
                  <ReferenceLine
                    key={m.time}
                    x={m.time}
                    stroke={missedColour}
                    strokeDasharray="4 3"
                    ifOverflow="extendDomain"
                    label={<MissedMarker label={m.label} />}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
        );
      })}
    </div>
  );
}
