/**
 * The Dockerfile, checked without building the image (CI builds none): what it copies exists and is in the build
 * context, the build stage has every input of the build, the runtime stage installs production dependencies only,
 * runs as a non-root user and has the bin as its entry point. That the bin runs from such an install is
 * test/cli/bin.test.ts's "production-only install".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_INPUTS, ROOT } from './compiled.ts';

interface Instruction {
  op: string;
  args: string;
}

/** The instructions of each stage (comments dropped, continued lines joined). */
function stages(text: string): { from: string; name: string | null; steps: Instruction[] }[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: { from: string; name: string | null; steps: Instruction[] }[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      out.push({ from: m[1], name: m[2] ?? null, steps: [] });
    } else out.at(-1)!.steps.push({ op: op.toUpperCase(), args });
  }
  return out;
}

/** `COPY [--from=X] SRC… DEST` as its sources and destination. */
function copy(args: string): { from: string | null; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
  return { from, sources: words.slice(0, -1), dest: words.at(-1)! };
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const [build, runtime, ...more] = stages(dockerfile);
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
const runs = (stage: typeof build) => stage.steps.filter((s) => s.op === 'RUN').map((s) => s.args);

describe('Dockerfile', () => {
  it('has two stages: a build and a slim Node 20 runtime', () => {
    expect(more).toEqual([]);
    expect(build.name).toBe('build');
    expect(runtime.from).toMatch(/^node:20([.\d]*)(-[a-z]+)?-slim$/);
  });

  it('copies files that exist and that .dockerignore lets into the build context', () => {
    const local = [build, runtime].flatMap((s) => s.steps.filter((x) => x.op === 'COPY').map((x) => copy(x.args))).filter((c) => c.from === null);
    const sources = local.flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), src).toBe(true);
      const top = src.split('/')[0];
      expect(ignored.filter((p) => p === src || p === top || (p.endsWith('*') && top.startsWith(p.slice(0, -1)))), src).toEqual([]);
    }
  });

  it('builds the compiled CLI in the build stage from every input of the build', () => {
    const copied = build.steps.filter((s) => s.op === 'COPY').flatMap((s) => copy(s.args).sources);
    for (const input of [...BUILD_INPUTS, 'package-lock.json']) expect(copied, input).toContain(input);
    // `npm ci` with the devDependencies and scripts: its `prepare` is the build (scripts/build.mjs writes dist/)
    expect(runs(build).some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev|--ignore-scripts/.test(r))).toBe(true);
    expect(pkg.scripts.prepare).toContain('scripts/build.mjs');
    expect(build.steps.find((s) => s.op === 'WORKDIR')?.args).toBe('/app');
  });

  it('runs the bin as a non-root user on production dependencies only', () => {
    expect(runs(runtime).some((r) => /\bnpm ci\b/.test(r) && r.includes('--omit=dev') && r.includes('--ignore-scripts'))).toBe(true);
    const copies = runtime.steps.filter((s) => s.op === 'COPY').map((s) => copy(s.args));
    expect(copies).toContainEqual({ from: 'build', sources: ['/app/dist'], dest: 'dist' });
    const copied = copies.filter((c) => c.from === null).flatMap((c) => c.sources);
    // what the bin reads at run time: package.json (version, "type": "module"), bin/, data/reference
    for (const f of ['package.json', 'bin', 'data']) expect(copied).toContain(f);
    expect(pkg.bin.tradewatch).toBe('bin/tradewatch.js');

    const user = runtime.steps.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);

    const entry = JSON.parse(runtime.steps.filter((s) => s.op === 'ENTRYPOINT').at(-1)!.args) as string[];
    if (entry[0] === 'tradewatch') {
      // on the PATH as a symlink to the bin, the way npm links it (which test/cli/bin.test.ts runs)
      expect(runs(runtime).some((r) => r.includes('ln -s /app/bin/tradewatch.js /usr/local/bin/tradewatch'))).toBe(true);
    } else expect(entry).toEqual(['node', '/app/bin/tradewatch.js']);
  });
});
