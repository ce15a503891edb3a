// Recent vitals and symptom scores as small line charts, one per measurement, oldest to newest.
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDateTime, formatNumber, formatShortDateTime } from '../format';
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

export function ObservationChart({ observations }: { observations: Observation[] }) {
  const points = toPoints(observations);
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
          <figure className="chart" key={panel.key} aria-label={`${panel.title} over time. ${summary}.`}>
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
              </LineChart>
            </ResponsiveContainer>
          </figure>
        );
      })}
    </div>
  );
}
