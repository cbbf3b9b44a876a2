/**
 * The Comtrade Plus bulk columns with their types, for DuckDB's typed read_csv, and those tradewatch's Comtrade
 * Plus layout reads: one list for the bench's DuckDB stages (`stage.ts`) and its whole-process script
 * (`duckdb-ingest.mjs`). Plain JavaScript so that the script needs no TypeScript loader.
 */
export const COMTRADE_TYPES_SQL =
  'typeCode VARCHAR,freqCode VARCHAR,refPeriodId INTEGER,refYear SMALLINT,refMonth TINYINT,period VARCHAR,reporterCode INTEGER,reporterISO VARCHAR,' +
  'reporterDesc VARCHAR,flowCode VARCHAR,flowDesc VARCHAR,partnerCode INTEGER,partnerISO VARCHAR,partnerDesc VARCHAR,partner2Code INTEGER,' +
  'partner2ISO VARCHAR,partner2Desc VARCHAR,classificationCode VARCHAR,classificationSearchCode VARCHAR,isOriginalClassification BOOLEAN,' +
  'cmdCode VARCHAR,cmdDesc VARCHAR,aggrLevel TINYINT,isLeaf BOOLEAN,customsCode VARCHAR,customsDesc VARCHAR,mosCode INTEGER,motCode INTEGER,' +
  'motDesc VARCHAR,qtyUnitCode INTEGER,qtyUnitAbbr VARCHAR,qty DOUBLE,isQtyEstimated BOOLEAN,altQtyUnitCode INTEGER,altQtyUnitAbbr VARCHAR,' +
  'altQty DOUBLE,isAltQtyEstimated BOOLEAN,netWgt DOUBLE,isNetWgtEstimated BOOLEAN,grossWgt DOUBLE,isGrossWgtEstimated BOOLEAN,cifvalue DOUBLE,' +
  'fobvalue DOUBLE,primaryValue DOUBLE,legacyEstimationFlag INTEGER,isReported BOOLEAN,isAggregate BOOLEAN';

/** The columns tradewatch's Comtrade Plus layout reads. */
export const COMTRADE_USED =
  'period,reporterCode,partnerCode,partner2Code,flowCode,classificationCode,cmdCode,customsCode,mosCode,motCode,qtyUnitAbbr,qty,isQtyEstimated,netWgt,isNetWgtEstimated,cifvalue,fobvalue,primaryValue';
