/** A goods line under an HS6 code: what declarations name and describe. */
export interface SynthLine {
  /** Mineral of the line; `null` for the uncontrolled content of a shared code (niobium in 811292). */
  mineral: string | null;
  /** National line declared for it (10 digits); controlled lines come from the catalog when it lists one. */
  code: string;
  /** Unit value range of the line, USD/kg FOB. */
  unitValueUsdPerKg: readonly [number, number];
  /** Goods descriptions as declarants write them. */
  en: readonly string[];
  zh: readonly string[];
}

/** A product (HS6) of the synthetic world. */
export interface SynthProduct {
  hs6: string;
  /** Mineral the code stands for in the world (a comparator's own mineral, e.g. hafnium). */
  mineral: string;
  /** `trade`: in the trade panel when selected; `decoy`: only a declared code (a neighbour to misclassify under). */
  use: 'trade' | 'decoy';
  /** Comtrade's `cmdDesc` (shortened). */
  cmdDesc: string;
  /** Unit value range of the code, USD/kg FOB. */
  unitValueUsdPerKg: readonly [number, number];
  /** World exports of the code in the first month, USD (before trend, season and noise). */
  scaleUsdPerMonth: number;
  /** Producers and their shares of world exports (renormalised over the countries in play). */
  producers: readonly (readonly [iso3: string, share: number])[];
  /** Shares of value by air and by water (the rest is other modes). */
  airShare: number;
  waterShare: number;
  lines: readonly SynthLine[];
  /** Uncontrolled neighbouring national lines a controlled good can be misdeclared under. */
  neighbours: readonly string[];
}

const line = (
  mineral: string | null,
  code: string,
  unitValueUsdPerKg: readonly [number, number],
  en: readonly string[],
  zh: readonly string[],
): SynthLine => ({ mineral, code, unitValueUsdPerKg, en, zh });

/**
 * Every product the generator knows: the controlled codes it can pick from the catalog (811292, 250410,
 * 811010, 282580, 810194), their comparators (811231, 250490), two uncontrolled metals (750210, 810890)
 * and the decoy codes misclassified goods hide under. Values are judgement, of the right order.
 */
export const SYNTH_PRODUCTS: readonly SynthProduct[] = Object.freeze([
  {
    hs6: '811292', mineral: 'gallium', use: 'trade',
    cmdDesc: 'Gallium, germanium, indium, niobium, vanadium: unwrought; waste and scrap; powders',
    unitValueUsdPerKg: [300, 2000], scaleUsdPerMonth: 15e6, airShare: 0.8, waterShare: 0.15,
    producers: [['CHN', 0.72], ['JPN', 0.06], ['DEU', 0.06], ['RUS', 0.05], ['CAN', 0.04], ['KOR', 0.04], ['USA', 0.03]],
    lines: [
      line('gallium', '8112929010', [300, 700], ['Gallium metal, 99.99% (4N), ingots', 'Unwrought gallium 6N', 'Gallium, unwrought'], ['金属镓 99.99%', '镓锭']),
      line('germanium', '8112921010', [1200, 2000], ['Germanium ingots, zone refined', 'Germanium metal, unwrought'], ['区熔锗锭', '金属锗']),
      line(null, '8112925000', [40, 90], ['Niobium powder', 'Vanadium, unwrought'], ['铌粉', '钒']),
    ],
    neighbours: ['8112310000', '8113000000'],
  },
  {
    hs6: '811231', mineral: 'hafnium', use: 'trade',
    cmdDesc: 'Hafnium: unwrought; waste and scrap; powders',
    unitValueUsdPerKg: [800, 1500], scaleUsdPerMonth: 6e6, airShare: 0.7, waterShare: 0.25,
    producers: [['FRA', 0.4], ['USA', 0.3], ['DEU', 0.15], ['CHN', 0.1], ['RUS', 0.05]],
    lines: [line('hafnium', '8112310000', [800, 1500], ['Hafnium sponge, unwrought', 'Hafnium crystal bar'], ['海绵铪', '铪'])],
    neighbours: [],
  },
  {
    hs6: '250410', mineral: 'graphite', use: 'trade',
    cmdDesc: 'Graphite; natural, in powder or in flakes',
    unitValueUsdPerKg: [0.5, 1], scaleUsdPerMonth: 30e6, airShare: 0.01, waterShare: 0.95,
    producers: [['CHN', 0.7], ['MOZ', 0.1], ['BRA', 0.06], ['MDG', 0.05], ['IND', 0.04], ['CAN', 0.03], ['NOR', 0.02]],
    lines: [
      line('graphite', '2504101000', [0.5, 1], ['Natural flake graphite, -100 mesh, 95% C', 'Spherical graphite SPG15', 'Natural flake graphite powder, 94% C'], ['天然鳞片石墨', '球形石墨']),
    ],
    neighbours: ['6815990000', '2504900000'],
  },
  {
    hs6: '250490', mineral: 'graphite', use: 'trade',
    cmdDesc: 'Graphite; natural, other than in powder or flakes',
    unitValueUsdPerKg: [0.4, 1.2], scaleUsdPerMonth: 10e6, airShare: 0.01, waterShare: 0.95,
    producers: [['CHN', 0.45], ['BRA', 0.15], ['IND', 0.12], ['MDG', 0.1], ['MOZ', 0.08], ['DEU', 0.05], ['AUT', 0.05]],
    lines: [line(null, '2504900000', [0.4, 1.2], ['Natural graphite, amorphous, lumps', 'Natural graphite in lumps'], ['天然石墨块'])],
    neighbours: [],
  },
  {
    hs6: '811010', mineral: 'antimony', use: 'trade',
    cmdDesc: 'Antimony; unwrought, powders',
    unitValueUsdPerKg: [10, 40], scaleUsdPerMonth: 20e6, airShare: 0.05, waterShare: 0.9,
    producers: [['CHN', 0.55], ['TJK', 0.15], ['RUS', 0.1], ['VNM', 0.1], ['TUR', 0.05], ['AUS', 0.05]],
    lines: [line('antimony', '8110101000', [10, 40], ['Antimony ingots 99.65%', 'Antimony metal, unwrought', 'Antimony powder'], ['锑锭 99.65%', '金属锑'])],
    neighbours: ['8111000000', '8113000000'],
  },
  {
    hs6: '282580', mineral: 'antimony', use: 'trade',
    cmdDesc: 'Antimony oxides',
    unitValueUsdPerKg: [8, 30], scaleUsdPerMonth: 15e6, airShare: 0.03, waterShare: 0.92,
    producers: [['CHN', 0.6], ['BEL', 0.12], ['FRA', 0.08], ['KOR', 0.07], ['JPN', 0.07], ['ITA', 0.06]],
    lines: [line('antimony', '2825800010', [8, 30], ['Antimony trioxide 99.8%', 'Antimony oxide, catalyst grade'], ['三氧化二锑', '氧化锑'])],
    neighbours: ['2824900000'],
  },
  {
    hs6: '810194', mineral: 'tungsten', use: 'trade',
    cmdDesc: 'Tungsten (wolfram); unwrought, including bars and rods obtained simply by sintering',
    unitValueUsdPerKg: [40, 80], scaleUsdPerMonth: 10e6, airShare: 0.2, waterShare: 0.75,
    producers: [['CHN', 0.6], ['VNM', 0.1], ['AUT', 0.1], ['RUS', 0.08], ['DEU', 0.06], ['USA', 0.06]],
    lines: [line('tungsten', '8101940001', [40, 80], ['Tungsten bars, sintered', 'Tungsten heavy alloy blanks, W-Ni-Fe'], ['钨条', '钨合金坯'])],
    neighbours: ['8108900000'],
  },
  {
    hs6: '750210', mineral: 'nickel', use: 'trade',
    cmdDesc: 'Nickel; unwrought, not alloyed',
    unitValueUsdPerKg: [15, 25], scaleUsdPerMonth: 200e6, airShare: 0.01, waterShare: 0.9,
    producers: [['RUS', 0.2], ['CAN', 0.18], ['AUS', 0.14], ['NOR', 0.14], ['JPN', 0.1], ['IDN', 0.1], ['CHN', 0.08], ['ZAF', 0.06]],
    lines: [line(null, '7502100000', [15, 25], ['Nickel cathodes, unwrought, not alloyed', 'Nickel briquettes'], ['电解镍'])],
    neighbours: [],
  },
  {
    hs6: '810890', mineral: 'titanium', use: 'trade',
    cmdDesc: 'Titanium; articles thereof, other',
    unitValueUsdPerKg: [20, 60], scaleUsdPerMonth: 40e6, airShare: 0.2, waterShare: 0.7,
    producers: [['USA', 0.25], ['JPN', 0.2], ['CHN', 0.2], ['RUS', 0.15], ['DEU', 0.1], ['GBR', 0.1]],
    lines: [line(null, '8108900000', [20, 60], ['Titanium plates', 'Titanium bars and rods, other'], ['钛板'])],
    neighbours: [],
  },
  decoy('811300', 'cermets', 'Cermets and articles thereof', [30, 90], ['Cermets and articles thereof', 'Cermet inserts'], ['金属陶瓷']),
  decoy('811100', 'manganese', 'Manganese and articles thereof', [1.5, 4], ['Manganese flakes, electrolytic', 'Manganese metal'], ['电解锰']),
  decoy('681599', 'stone', 'Articles of stone or other mineral substances, n.e.c.', [0.5, 3], ['Articles of stone, other', 'Mineral articles n.e.s.'], ['石制品']),
  decoy('282490', 'lead', 'Lead oxides, other than lead monoxide', [1.5, 3], ['Red lead and orange lead', 'Lead oxide, other'], ['红丹']),
] satisfies SynthProduct[]);

/** A code that appears only in declarations: the neighbour a controlled good is misdeclared under. */
function decoy(hs6: string, mineral: string, cmdDesc: string, uv: readonly [number, number], en: string[], zh: string[]): SynthProduct {
  return {
    hs6, mineral, use: 'decoy', cmdDesc, unitValueUsdPerKg: uv, scaleUsdPerMonth: 0, producers: [], airShare: 0.1, waterShare: 0.85,
    lines: [line(null, `${hs6}0000`, uv, en, zh)], neighbours: [],
  };
}

const BY_HS6 = new Map(SYNTH_PRODUCTS.map((p) => [p.hs6, p]));

/** The product of an HS6 code; throws naming the known codes for one the generator does not know. */
export function synthProduct(hs6: string): SynthProduct {
  const p = BY_HS6.get(hs6);
  if (!p) throw new Error(`synth: unknown product '${hs6}' (known: ${[...BY_HS6.keys()].join(', ')})`);
  return p;
}
