import type { Command } from 'commander';

/** Adds `tradewatch catalog [selector]`: what an --hs selector expands to in the control catalog. */
export function addCatalogCommand(program: Command): void {
  program
    .command('catalog')
    .description(
      'Show what a product selector expands to: for each code its HS6 description, minerals and specificity, comparators, ' +
        'and every control interval (control, announcement, start, end, status, destinations, verified); and the comparators run reads beside it.',
    )
    .argument('[selector]', "'@catalog', '@<mineral>' (e.g. @antimony), a code (2–10 digits) or a comma list '811292,@antimony'", '@catalog')
    .option('--json', 'print JSON')
    .action(async (selector: string, o: { json?: boolean }) => {
      const [{ loadCatalog, loadHs6Descriptions }, { formatCatalogLookup, lookupCatalog }] = await Promise.all([
        import('../io/catalog.ts'),
        import('../reference/catalog-lookup.ts'),
      ]);
      const [catalog, descriptions] = await Promise.all([loadCatalog(), loadHs6Descriptions()]);
      const lookup = lookupCatalog(selector, catalog, descriptions);
      process.stdout.write(o.json ? `${JSON.stringify(lookup, null, 2)}\n` : formatCatalogLookup(lookup));
    });
}
