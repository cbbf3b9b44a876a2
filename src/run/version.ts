import pkg from '../../package.json' with { type: 'json' };

/** tradewatch's version, recorded in every manifest. */
export const VERSION: string = pkg.version;
