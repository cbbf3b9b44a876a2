import { describe, expect, it } from 'vitest';
import { configDefaults, hashConfig, resolveConfig } from '../../src/config/config.ts';
import { UsageError } from '../../src/base/errors.ts';

describe('resolveConfig', () => {
  it('returns the defaults, frozen, when nothing is given', () => {
    const c = resolveConfig({});
    expect(c).toEqual(configDefaults);
    expect(Object.isFrozen(c.ingest)).toBe(true);
  });

  it('layers file over defaults and --set over file', () => {
    const c = resolveConfig({ file: { ingest: { maxRejectRate: 0.2, hs: '@antimony' } }, sets: ['ingest.maxRejectRate=0.05'] });
    expect(c.ingest.maxRejectRate).toBe(0.05);
    expect(c.ingest.hs).toBe('@antimony');
    expect(c.ingest.totals.toleranceUsd).toBe(1);
  });

  it('names an unknown key and lists the valid ones', () => {
    expect(() => resolveConfig({ file: { ingest: { maxRejectRat: 0.1 } }, fileName: 'tw.yaml' })).toThrow(
      /config tw\.yaml: unknown key 'ingest\.maxRejectRat' \(valid keys here: hs, maxRejectRate, maxPolicyDropRate, totals, baciHsRevision, mappings\)/,
    );
    expect(() => resolveConfig({ sets: ['nope.x=1'] })).toThrow(/unknown key 'nope'/);
  });

  it('names the key of a wrong type', () => {
    let err: unknown;
    try {
      resolveConfig({ file: { ingest: { maxRejectRate: 'high' } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("config: 'ingest.maxRejectRate' must be number, not the text 'high'");
  });

  it('validates a user mapping strictly', () => {
    expect(() =>
      resolveConfig({ file: { ingest: { mappings: { mine: { countryCodes: 'iso3', hsRevision: 'HS2022', fields: { period: { colum: 'y' } } } } } } }),
    ).toThrow(/unknown key 'ingest\.mappings\.mine\.fields\.period\.colum'/);
  });

  it('rejects a malformed --set', () => {
    expect(() => resolveConfig({ sets: ['ingest.hs'] })).toThrow(/expected key=value/);
  });

  it('hashes equal configs equally, whatever the key order', () => {
    expect(hashConfig({ a: 1, b: { c: 2, d: 3 } })).toBe(hashConfig({ b: { d: 3, c: 2 }, a: 1 }));
    expect(hashConfig({ a: 1 })).not.toBe(hashConfig({ a: 2 }));
  });
});

describe('resolveConfig: keys that reach the object prototype', () => {
  it.each(['__proto__.polluted=1', 'constructor.prototype.polluted=1', 'run.__proto__.polluted=1', 'prototype.polluted=1'])(
    '--set %s is a usage error naming the key, and Object.prototype is untouched',
    (set) => {
      const key = set.split('=')[0].split('.').find((k) => ['__proto__', 'constructor', 'prototype'].includes(k))!;
      let err: unknown;
      try {
        resolveConfig({ sets: [set] });
      } catch (e) {
        err = e;
      } finally {
        const polluted = Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted');
        delete (Object.prototype as Record<string, unknown>).polluted; // never leak into other tests
        expect(polluted).toBe(false);
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(`'${key}' is not a config key`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses such keys inside a --set value or a config file', () => {
    expect(() => resolveConfig({ sets: ['run={"__proto__":{"polluted":1}}'] })).toThrow(/--set run: key '__proto__' is not a config key/);
    expect(() => resolveConfig({ file: JSON.parse('{"run":{"__proto__":{"polluted":1}}}'), fileName: 'tw.json' })).toThrow(
      /config tw\.json: key 'run\.__proto__' is not a config key/,
    );
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });
});
