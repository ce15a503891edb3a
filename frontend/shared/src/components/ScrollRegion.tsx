// A wide table's frame. It scrolls sideways when the table is wider than the screen, so it must be reachable by
// keyboard (a focusable, named region: axe's scrollable-region-focusable), or a keyboard user cannot read past
// the first columns.
import type { ReactNode } from 'react';

export function ScrollRegion({ label, className = '', children }: { label: string; className?: string; children: ReactNode }) {
  return (
    // A region whose only job is to scroll: focusable so the arrow keys scroll it.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div className={`table-wrap ${className}`.trim()} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
