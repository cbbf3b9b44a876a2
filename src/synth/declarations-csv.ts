import { csvText } from './csv-text.ts';
import type { PendingAnomaly } from './declaration-anomalies.ts';
import { DECLARATION_FX_USD, type Declaration } from './declarations.ts';
import type { DeclarationAnomalyTruth } from './truth.ts';
import type { World } from './world.ts';

/** Header of the canonical declaration layout. */
export const DECLARATIONS_HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,' +
  'transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';

/**
 * Sorts the declarations by date, gives them ids (`D<seed>-000001` …), labels the history (declarations
 * in the first `labelledShare` of the months: 1 when it carries an injected anomaly, else 0; later ones
 * empty) and writes them in the canonical layout. Returns the text, its data rows and the anomalies with
 * their declaration ids.
 */
export function writeDeclarationsCsv(
  world: World,
  declarations: readonly Declaration[],
  pending: readonly PendingAnomaly[],
): { text: string; rows: number; anomalies: DeclarationAnomalyTruth[] } {
  const sorted = [...declarations].sort((a, b) => a.t - b.t || a.day - b.day || a.seq - b.seq);
  sorted.forEach((d, i) => (d.id = `D${world.seed}-${String(i + 1).padStart(6, '0')}`));
  const history = Math.floor(world.knobs.labelledShare * world.axis.length);
  const lines = [DECLARATIONS_HEADER];
  for (const d of sorted) {
    const grams = Math.max(1, Math.round(d.kg * 1000));
    const quantity = d.quantityUnit === 't' ? Math.max(1, Math.round(grams / 1000)) : grams;
    lines.push(
      csvText.line([
        d.id, `${world.axis.period(d.t)}-${String(d.day).padStart(2, '0')}`, d.direction, d.declarant, d.exporter, d.importer,
        d.seller, d.declaredCode, d.description, d.origin, d.departure, d.destination, d.transportMode, csvText.milli(grams),
        csvText.milli(quantity), d.quantityUnit, csvText.cents(Math.max(1, Math.round((d.valueUsd / DECLARATION_FX_USD[d.currency]) * 100))),
        d.currency, d.office, d.t < history ? (d.anomaly === null ? '0' : '1') : '',
      ]),
    );
  }
  const anomalies = pending.map(({ declarations: ds, ...a }) => ({
    id: a.id, kind: a.kind, declaration_ids: ds.map((d) => d.id).sort(), hs6: a.hs6, declared_code: a.declared_code,
    signal: a.signal, party: a.party, route_id: a.route_id,
  }));
  return { text: `${lines.join('\n')}\n`, rows: sorted.length, anomalies };
}
