import { describe, expect, it } from 'vitest';
import { describeRequest } from '../../src/io/comtrade-api.ts';
import { availabilityRequest, dataRequest, parsePeriodRange, planQueries, splitQuery, type DataQuery } from '../../src/commands/fetch-plan.ts';

describe('parsePeriodRange', () => {
  it('reads month ranges (across a year end), year ranges and single periods', () => {
    expect(parsePeriodRange('2024-01:2024-03')).toEqual({ freq: 'M', periods: ['202401', '202402', '202403'] });
    expect(parsePeriodRange('2023-11:2024-02')).toEqual({ freq: 'M', periods: ['202311', '202312', '202401', '202402'] });
    expect(parsePeriodRange('2020:2022')).toEqual({ freq: 'A', periods: ['2020', '2021', '2022'] });
    expect(parsePeriodRange('2024-05')).toEqual({ freq: 'M', periods: ['202405'] });
    expect(parsePeriodRange('2024')).toEqual({ freq: 'A', periods: ['2024'] });
    expect(parsePeriodRange('2024-01:2024-12').periods).toHaveLength(12);
  });

  it('refuses backwards ranges, mixed ends and non-periods, naming the problem', () => {
    expect(() => parsePeriodRange('2024-03:2024-01')).toThrow("--period '2024-03:2024-01': the range runs backwards");
    expect(() => parsePeriodRange('2024:2024-03')).toThrow('both ends must be months, or both years');
    expect(() => parsePeriodRange('2024-13')).toThrow("'2024-13' is not a period");
    expect(() => parsePeriodRange('2024-01:2024-02:2024-03')).toThrow('more than one colon');
  });
});

const Q: DataQuery = { freq: 'M', periods: ['202401', '202402', '202403'], reporters: [156, 764, 842], cmdCodes: ['811010', '811292', '811299'], flows: ['X', 'M'] };
const none = () => [];

describe('planQueries and splitQuery', () => {
  it('chunks the periods by maxPeriodsPerRequest and keeps the rest whole', () => {
    expect(planQueries({ ...Q, periods: ['202401', '202402', '202403', '202404', '202405'] }, 2).map((q) => q.periods)).toEqual([
      ['202401', '202402'], ['202403', '202404'], ['202405'],
    ]);
  });

  it('splits by period first, then reporter, then product code, then flow; null when one of each is left', () => {
    // follow the first half down to a question that cannot be split
    const steps: string[][] = [];
    let q = Q;
    for (let parts = splitQuery(q, none); parts; parts = splitQuery(q, none)) {
      steps.push(parts.map((p) => JSON.stringify([p.periods, p.reporters, p.cmdCodes, p.flows])));
      q = parts[0];
    }
    expect(steps).toEqual([
      ['[["202401","202402"],[156,764,842],["811010","811292","811299"],["X","M"]]', '[["202403"],[156,764,842],["811010","811292","811299"],["X","M"]]'],
      ['[["202401"],[156,764,842],["811010","811292","811299"],["X","M"]]', '[["202402"],[156,764,842],["811010","811292","811299"],["X","M"]]'],
      ['[["202401"],[156,764],["811010","811292","811299"],["X","M"]]', '[["202401"],[842],["811010","811292","811299"],["X","M"]]'],
      ['[["202401"],[156],["811010","811292","811299"],["X","M"]]', '[["202401"],[764],["811010","811292","811299"],["X","M"]]'],
      ['[["202401"],[156],["811010","811292"],["X","M"]]', '[["202401"],[156],["811299"],["X","M"]]'],
      ['[["202401"],[156],["811010"],["X","M"]]', '[["202401"],[156],["811292"],["X","M"]]'],
      ['[["202401"],[156],["811010"],["X"]]', '[["202401"],[156],["811010"],["M"]]'],
    ]);
    expect(splitQuery({ ...Q, periods: ['202401'], reporters: [156], cmdCodes: ['811010'], flows: ['X'] }, none)).toBeNull();
  });

  it('splits "every reporter" over the reporters that published the period', () => {
    const seen: (readonly string[])[] = [];
    const parts = splitQuery({ ...Q, periods: ['202402'], reporters: null }, (ps) => (seen.push(ps), [36, 156, 842]));
    expect(seen).toEqual([['202402']]);
    expect(parts?.map((p) => p.reporters)).toEqual([[36, 156], [842]]);
    // nobody published it: on to the product codes
    expect(splitQuery({ ...Q, periods: ['202402'], reporters: null }, none)?.map((p) => [p.reporters, p.cmdCodes])).toEqual([
      [null, ['811010', '811292']],
      [null, ['811299']],
    ]);
  });
});

describe('dataRequest and availabilityRequest', () => {
  const s = { path: '/data/v1/get/C/{freq}/HS', maxRecords: 250000, partnerCode: '', partner2Code: '0', motCode: '0', customsCode: 'C00', includeDesc: false };

  it('asks for totals (motCode 0, customsCode C00, partner2Code 0) with the cap as maxRecords; every reporter omits reporterCode', () => {
    expect(describeRequest(dataRequest(Q, s))).toBe(
      'GET /data/v1/get/C/M/HS?cmdCode=811010,811292,811299&customsCode=C00&flowCode=M,X&includeDesc=false&maxRecords=250000' +
        '&motCode=0&partner2Code=0&period=202401,202402,202403&reporterCode=156,764,842',
    );
    expect(dataRequest({ ...Q, reporters: null, flows: [] }, { ...s, partner2Code: '' }).query).toEqual({
      cmdCode: '811010,811292,811299', customsCode: 'C00', includeDesc: 'false', maxRecords: '250000', motCode: '0', period: '202401,202402,202403',
    });
    expect(describeRequest(availabilityRequest('/data/v1/getDa/C/{freq}/HS', 'A', ['2023', '2024'], null))).toBe('GET /data/v1/getDa/C/A/HS?period=2023,2024');
  });
});
