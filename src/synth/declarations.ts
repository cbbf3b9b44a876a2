import { synthCountry } from './countries.ts';
import { type SynthLine, type SynthProduct, SYNTH_PRODUCTS, synthProduct } from './products.ts';
import type { Rng } from './random.ts';
import { type Component, type World, shipped } from './world.ts';

/** One customs declaration while the world is built (ids, labels and text come last). */
export interface Declaration {
  /** Creation order: breaks ties when sorting by date. */
  seq: number;
  id: string;
  t: number;
  day: number;
  direction: 'import' | 'export';
  declarant: string;
  exporter: string;
  importer: string;
  seller: string;
  declaredCode: string;
  description: string;
  origin: string;
  departure: string;
  destination: string;
  transportMode: 'sea' | 'air' | 'road' | 'rail';
  kg: number;
  quantityUnit: 'kg' | 't';
  valueUsd: number;
  currency: 'USD' | 'EUR' | 'CNY';
  office: string;
  /** True HS6 and line of the goods. */
  hs6: string;
  line: SynthLine;
  /** Route whose diverted goods these are, else null. */
  routeId: string | null;
  /** Truth id of the anomaly it carries, else null. */
  anomaly: string | null;
}

/** Fixed exchange rates of the declarations, USD per unit of currency. */
export const DECLARATION_FX_USD: Readonly<Record<Declaration['currency'], number>> = Object.freeze({ USD: 1, EUR: 1.08, CNY: 0.14 });

/** Pairs of countries with a land border the goods cross by road or rail. */
const LAND = new Set(
  ['USA-CAN', 'USA-MEX', 'DEU-NLD', 'DEU-BEL', 'DEU-FRA', 'DEU-AUT', 'DEU-CZE', 'DEU-POL', 'DEU-CHE', 'FRA-BEL', 'FRA-ITA',
    'FRA-ESP', 'FRA-CHE', 'NLD-BEL', 'ITA-CHE', 'ITA-AUT', 'AUT-CZE', 'POL-CZE', 'CHN-VNM', 'CHN-KAZ', 'CHN-KGZ', 'CHN-RUS',
    'CHN-HKG', 'KAZ-RUS', 'KAZ-KGZ', 'THA-MYS', 'TUR-ARM'].flatMap((p) => [p, p.split('-').reverse().join('-')]),
);

/**
 * Builds the honest declarations of the declaring country: each month's shipments into and out of it
 * (route second legs included: goods of Chinese origin departing from the hub, declared by a new
 * importer), split into a Poisson number of declarations, plus small parcels and the ordinary traffic of
 * the decoy codes misclassified goods hide under. Parties, offices and brokers come from small pools.
 */
export class DeclarationBook {
  readonly list: Declaration[] = [];
  private readonly parties = new Map<string, string[]>();
  private readonly counters = new Map<string, number>();
  private readonly uv = new Map<string, number>();
  /** Route id → the new importer that declares its goods. */
  readonly routeParties = new Map<string, string>();
  readonly country: string;

  constructor(
    private readonly world: World,
    private readonly rng: Rng,
  ) {
    this.country = world.knobs.declarationsCountry;
  }

  /** Declarations of every shipment into or out of the declaring country, and the background traffic. */
  build(): void {
    const { axis, knobs } = this.world;
    const C = this.country;
    for (const c of this.world.components) {
      if (c.importer !== C && c.exporter !== C) continue;
      for (let t = 0; t < axis.length; t++) {
        const v = shipped(c, t);
        if (!(v >= 20)) continue;
        const n = Math.min(12, 1 + this.rng.poisson(knobs.declarationsPerFlow - 1));
        const weights = Array.from({ length: n }, () => -Math.log(1 - this.rng.next()));
        const sum = weights.reduce((s, w) => s + w, 0);
        for (const w of weights) this.fromComponent(c, t, (v * w) / sum);
      }
    }
    const panel = this.world.products;
    const background = [
      ...SYNTH_PRODUCTS.filter((p) => p.use === 'decoy'),
      ...SYNTH_PRODUCTS.filter((p) => p.use === 'trade' && !panel.includes(p) && panel.some((q) => q.neighbours.some((n) => n.startsWith(p.hs6)))),
    ];
    const senders = this.world.countries.filter((c) => c !== C);
    for (let t = 0; t < axis.length; t++) {
      for (const p of background) {
        for (let k = this.rng.poisson(2 * knobs.declarationsPerFlow); k > 0; k--) {
          this.add({ t, product: p, from: this.rng.pick(senders), to: C, origin: null, valueUsd: this.rng.logUniform(5e3, 2e5) });
        }
      }
      // small parcels (samples, spares): threshold screening must not see only the split shipments
      const live = this.world.components.filter((x) => x.importer === C && shipped(x, t) > 0);
      for (let k = this.rng.poisson(knobs.declarationsPerFlow); k > 0 && live.length; k--) {
        this.fromComponent(this.rng.pick(live), t, this.rng.logUniform(300, 6000));
      }
    }
  }

  /** A declaration of part of a component's shipments in month t. */
  fromComponent(c: Component, t: number, valueUsd: number): Declaration {
    const routed = c.kind === 'route_leg2' && c.importer === this.country; // goods of Chinese origin from the hub
    return this.add({
      t, product: synthProduct(c.hs6), from: c.exporter, to: c.importer, origin: c.origin, valueUsd,
      routeId: routed ? c.routeId : null, importer: routed ? this.routeParty(c.routeId!) : undefined,
    });
  }

  /** The importer that declares a route's goods: a party first seen with them. */
  routeParty(routeId: string): string {
    let p = this.routeParties.get(routeId);
    if (p === undefined) this.routeParties.set(routeId, (p = this.newParty('IMP')));
    return p;
  }

  /** Adds one honest declaration; `line` and `importer` may be forced (anomalies build on this). */
  add(o: {
    t: number;
    product: SynthProduct;
    from: string;
    to: string;
    origin: string | null;
    valueUsd: number;
    routeId?: string | null;
    line?: SynthLine;
    importer?: string;
    day?: number;
  }): Declaration {
    const r = this.rng;
    const imported = o.to === this.country;
    const line = o.line ?? r.pick(o.product.lines);
    const origin = o.origin ?? o.from;
    const uv = this.unitValue(o.from, line) * r.noise(0.05);
    const kg = o.valueUsd / uv;
    const foreign = imported ? o.from : o.to;
    const sellerCountry = r.chance(0.1) ? r.pick(['HKG', 'SGP', 'ARE', 'CHE'].filter((c) => this.world.countries.includes(c)).concat(o.from)) : o.from;
    const exporter = imported ? this.party(`${o.from}|${o.product.hs6}`, o.from) : this.party(`EXP|${o.product.hs6}`, 'EXP');
    const importer = o.importer ?? (imported ? this.party(`IMP|${o.product.hs6}`, 'IMP') : this.party(`${o.to}|${o.product.hs6}|buyer`, o.to));
    const currency = synthCountry(o.from).currency;
    const chinese = [origin, o.from].some((c) => c === 'CHN' || c === 'HKG' || c === 'TWN') && r.chance(this.world.knobs.chineseDescriptionShare);
    const d: Declaration = {
      seq: this.list.length, id: '', t: o.t, day: o.day ?? r.int(1, this.world.axis.daysIn(o.t)),
      direction: imported ? 'import' : 'export',
      declarant: `DCL-${String(r.int(1, 8)).padStart(2, '0')}`,
      exporter, importer,
      seller: sellerCountry === o.from ? exporter : this.party(`${sellerCountry}|trader`, sellerCountry),
      declaredCode: line.code,
      description: r.pick(chinese && line.zh.length ? line.zh : line.en),
      origin, departure: o.from, destination: o.to,
      transportMode: this.mode(o.product, foreign),
      kg, quantityUnit: line.unitValueUsdPerKg[1] < 2 && r.chance(0.5) ? 't' : 'kg',
      valueUsd: o.valueUsd,
      currency: currency !== 'USD' && r.chance(this.world.knobs.foreignCurrencyShare) ? currency : 'USD',
      office: `${this.country}-${String(r.int(1, 6)).padStart(2, '0')}`,
      hs6: o.product.hs6, line, routeId: o.routeId ?? null, anomaly: null,
    };
    this.list.push(d);
    return d;
  }

  /** A party id from the pool named `pool` (1–3 parties a pool); `prefix` names its country or role. */
  party(pool: string, prefix: string): string {
    let ids = this.parties.get(pool);
    if (!ids) {
      ids = Array.from({ length: this.rng.int(1, 3) }, () => this.newParty(prefix));
      this.parties.set(pool, ids);
    }
    return this.rng.pick(ids);
  }

  /** A party never seen before (a new consignee, a splitter). */
  newParty(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${String(n).padStart(3, '0')}`;
  }

  /** The usual unit value of a sender's goods of one line, USD/kg (drawn once). */
  unitValue(from: string, line: SynthLine): number {
    const key = `${from}|${line.code}`;
    let uv = this.uv.get(key);
    if (uv === undefined) this.uv.set(key, (uv = this.rng.logUniform(...line.unitValueUsdPerKg)));
    return uv;
  }

  private mode(p: SynthProduct, partner: string): Declaration['transportMode'] {
    if (LAND.has(`${this.country}-${partner}`)) return this.rng.chance(0.8) ? 'road' : 'rail';
    return this.rng.chance(p.airShare / (p.airShare + p.waterShare)) ? 'air' : 'sea';
  }
}
