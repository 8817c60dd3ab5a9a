/**
 * What every table generator shares: the scale factor's cardinalities, the comment text pool and
 * the suppliers whose comments carry the Q16 "Customer ... Complaints/Recommends" marker.
 */
import { cardinalities, type Cardinalities } from './spec.js';
import { Rng, STREAM } from './random.js';
import { textPool } from './text.js';

export type SupplierMarker = 'Complaints' | 'Recommends';

export interface GenContext {
  readonly sf: number;
  readonly card: Cardinalities;
  readonly text: Uint8Array;
  /** suppkey → marker, for SF × 5 suppliers of each kind (at least one). */
  readonly markers: ReadonlyMap<number, SupplierMarker>;
}

function pickMarkers(sf: number, suppliers: number): Map<number, SupplierMarker> {
  const perKind = Math.min(Math.max(1, Math.round(sf * 5)), Math.floor(suppliers / 2));
  const rng = new Rng(STREAM.supplierComplaints);
  const markers = new Map<number, SupplierMarker>();
  for (const kind of ['Complaints', 'Recommends'] as const) {
    let placed = 0;
    while (placed < perKind) {
      const key = rng.int(1, suppliers);
      if (markers.has(key)) continue;
      markers.set(key, kind);
      placed++;
    }
  }
  return markers;
}

export function createContext(sf: number): GenContext {
  const card = cardinalities(sf);
  return { sf, card, text: textPool(), markers: pickMarkers(sf, card.supplier) };
}
