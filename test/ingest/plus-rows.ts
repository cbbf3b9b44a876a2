/** The Comtrade Plus columns the ingest tests write. */
export const PLUS_HEADER =
  'freqCode,period,reporterCode,flowCode,partnerCode,partner2Code,classificationCode,cmdCode,customsCode,mosCode,motCode,qtyUnitAbbr,qty,isQtyEstimated,netWgt,isNetWgtEstimated,cifvalue,fobvalue,primaryValue';

/** A Comtrade Plus total row (USA imports of 811010 from Thailand, January 2024, USD 5,000); override by name. */
export function plus(o: Record<string, string | number>): string {
  const d: Record<string, string | number> = {
    freqCode: 'M', period: '202401', reporterCode: 842, flowCode: 'M', partnerCode: 764, partner2Code: 0,
    classificationCode: 'H6', cmdCode: '811010', customsCode: 'C00', mosCode: 0, motCode: 0, qtyUnitAbbr: 'kg',
    qty: 1000, isQtyEstimated: 'False', netWgt: 1000, isNetWgtEstimated: 'False', cifvalue: 5000, fobvalue: '', primaryValue: 5000,
    ...o,
  };
  return PLUS_HEADER.split(',').map((k) => d[k]).join(',');
}
