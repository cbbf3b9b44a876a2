/** Types of `comtrade-columns.mjs`. */
export declare const COMTRADE_TYPES_SQL: string;
export declare const COMTRADE_USED: string;
