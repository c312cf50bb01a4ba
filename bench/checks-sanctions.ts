import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BRITISH_NAMES } from '../src/kyc/checks/sanctions/british-names';
import { HmtRow, formatHmtCsv } from '../src/kyc/checks/sanctions/hmt-list';
import { MATCH_THRESHOLD, ScreeningQuery } from '../src/kyc/checks/sanctions/matcher';
import { SanctionsIndex, falsePositiveRate } from '../src/kyc/checks/sanctions/sanctions-index';
import { positiveInteger } from './lib/env';
import { runBench } from './lib/runner';

/**
 * Sanctions screening benchmark (no servers needed):
 *
 *  1. writes a synthetic list of 12,000 designations in the ConList.csv layout of the bundled
 *     sample (fictional names built from syllable pools; ~85% individuals with one or two given
 *     names, ~15% entities with legal forms; about a third have an AKA row) to a temporary file;
 *  2. loads it with SanctionsIndex.load (read + parse + index) and measures the heap it holds;
 *  3. screens, on the main thread only (one core), a fixed mix of queries for BENCH_SECONDS:
 *     the 200 ordinary British names and 200 perturbed listed names (order swapped, middle name
 *     dropped, diacritics added, one letter changed), after a 1 s warm-up;
 *  4. prints names/s, PASS/FAIL against 2,000 names/s, the false-positive rate of the 200 British
 *     names against this list, and the share of perturbed listed names still caught.
 *
 *   npx ts-node --transpile-only bench/checks-sanctions.ts
 *
 * Environment (optional): BENCH_SECONDS (default 10), BENCH_DESIGNATIONS (default 12000),
 * BENCH_SHOW_MISSES=1 (list the perturbed listed names that were not caught).
 */

const GOAL_NAMES_PER_SECOND = 2000;

/** mulberry32: small deterministic PRNG, so every run screens the same list and queries. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(20250214);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number): boolean => random() < p;

// Given names: international, some shared with the British list (a harder false-positive test).
const GIVEN = [
  'Aleksandr',
  'Anna',
  'David',
  'Maria',
  'Thomas',
  'Ivan',
  'Olga',
  'Mohammed',
  'Ali',
  'Hassan',
  'Fatima',
  'Yusuf',
  'Elena',
  'Sergei',
  'Natalia',
  'Viktor',
  'Irina',
  'Dmitri',
  'Svetlana',
  'Oleg',
  'Tatiana',
  'Pavel',
  'Ahmad',
  'Omar',
  'Leila',
  'Karim',
  'Samir',
  'Nadia',
  'Rustam',
  'Timur',
  'Aziz',
  'Farid',
  'Bogdan',
  'Milan',
  'Zoran',
  'Goran',
  'Jelena',
  'Marko',
  'Chen',
  'Wei',
  'Jun',
  'Hyun',
  'Min',
  'Kwame',
  'Amara',
  'Ibrahim',
  'Musa',
  'Daniel',
  'Michael',
  'Sarah',
  'James',
  'Peter',
  'Lucia',
  'Jorge',
  'Carlos',
  'Diego',
  'Rafael',
  'Ines',
  'Andrei',
  'Mikhail',
  'Yuri',
  'Galina',
  'Arkady',
  'Ruslan',
  'Zarina',
  'Kamila',
  'Emil',
];
const SYLLABLES = [
  'ka',
  'vor',
  'len',
  'dri',
  'mas',
  'tol',
  'bek',
  'zan',
  'rov',
  'shi',
  'nel',
  'gar',
  'ul',
  'man',
  'tek',
  'sor',
  'vin',
  'dal',
  'kes',
  'ri',
  'mo',
  'ta',
  'lu',
  'ber',
  'gon',
  'dez',
  'fa',
  'hal',
  'jor',
  'quin',
  'pet',
  'sul',
  'ar',
  'ob',
  'ven',
  'trak',
  'mir',
  'zel',
  'kor',
  'bas',
  'nik',
  'hov',
  'sta',
  'gri',
  'yev',
  'pol',
  'dar',
  'tem',
  'ras',
  'vel',
];
const SURNAME_ENDINGS = [
  '',
  '',
  'ov',
  'ova',
  'sky',
  'escu',
  'sson',
  'ian',
  'zadeh',
  'oglu',
  'enko',
  'ic',
  'ani',
  'eri',
  'ek',
];
const INDUSTRY = [
  'Trading',
  'Shipping',
  'Energy',
  'Holdings',
  'Industrial',
  'Logistics',
  'Capital',
  'Petrochemical',
  'Marine',
  'Metals',
  'Engineering',
  'Investments',
  'Aviation',
  'Technologies',
];
const LEGAL = [
  'LLC',
  'Limited',
  'LTD',
  'JSC',
  'OOO',
  'OJSC',
  'CJSC',
  'PLC',
  'GmbH',
  'S.A.',
  'Company',
  'Corporation',
  'Inc.',
  '',
];
const REGIMES = [
  'Russia',
  'Belarus',
  'Syria',
  'Iran',
  'Libya',
  'Global Human Rights',
  'Global Anti-Corruption',
  'Cyber',
];
const NATIONALITIES = [
  'Russia',
  'Belarus',
  'Syria',
  'Iran',
  '(1) Russia (2) Cyprus',
  '(1) Syria (2) Lebanon',
  'Ukraine',
  'Moldova',
  'Kazakhstan',
  '',
];

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function word(minSyllables: number, maxSyllables: number): string {
  const n = minSyllables + Math.floor(random() * (maxSyllables - minSyllables + 1));
  let w = '';
  for (let i = 0; i < n; i += 1) w += pick(SYLLABLES);
  return capitalise(w);
}

function surname(): string {
  const s = word(2, 3) + pick(SURNAME_ENDINGS);
  return chance(0.1) ? `${s}-${word(2, 2)}` : s;
}

function dob(): string {
  const year = 1940 + Math.floor(random() * 60);
  if (chance(0.2)) return `00/00/${year}`;
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  return `${day}/${month}/${year}`;
}

interface Listed {
  given: string[];
  surname: string;
  entity: boolean;
}

function buildList(designations: number): { rows: HmtRow[]; listed: Listed[] } {
  const rows: HmtRow[] = [];
  const listed: Listed[] = [];
  for (let g = 1; g <= designations; g += 1) {
    const groupId = String(100000 + g);
    const regime = pick(REGIMES);
    const common: HmtRow = {
      Regime: regime,
      'Listed On': '01/03/2022',
      'UK Sanctions List Date Designated': '01/03/2022',
      'Last Updated': '01/03/2022',
      'Group ID': groupId,
    };
    if (chance(0.15)) {
      const base = `${word(2, 3)}${chance(0.5) ? ` ${word(2, 3)}` : ''} ${pick(INDUSTRY)}`;
      const legal = pick(LEGAL);
      const name =
        chance(0.3) && (legal === 'OOO' || legal === 'JSC')
          ? `${legal} "${base.toUpperCase()}"`
          : `${base} ${legal}`.trim().toUpperCase();
      rows.push({ ...common, 'Name 6': name, 'Group Type': 'Entity', 'Alias Type': 'Primary name', Country: 'Russia' });
      if (chance(0.35))
        rows.push({
          ...common,
          'Name 6': `${word(2, 3).toUpperCase()} ${pick(INDUSTRY).toUpperCase()} ${pick(LEGAL).toUpperCase()}`.trim(),
          'Group Type': 'Entity',
          'Alias Type': 'AKA',
          'Alias Quality': 'Good',
        });
      listed.push({ given: [], surname: base, entity: true });
      continue;
    }
    const given = chance(0.6) ? [pick(GIVEN), pick(GIVEN)] : [pick(GIVEN)];
    const last = surname();
    const person: HmtRow = {
      ...common,
      'Name 6': last.toUpperCase(),
      'Name 1': given[0],
      'Name 2': given[1] ?? '',
      'Group Type': 'Individual',
      'Alias Type': 'Primary name',
      DOB: dob(),
      Nationality: pick(NATIONALITIES),
    };
    rows.push(person);
    if (chance(0.35))
      rows.push({
        ...person,
        'Name 6': surname().toUpperCase(),
        'Name 2': '',
        'Alias Type': 'AKA',
        'Alias Quality': chance(0.5) ? 'Good' : 'Low',
        DOB: chance(0.5) ? dob() : '',
      });
    listed.push({ given, surname: last, entity: false });
  }
  return { rows, listed };
}

const ACCENTS: Readonly<Record<string, string>> = { a: 'á', e: 'é', i: 'ï', o: 'ø', u: 'ü', c: 'č', s: 'š', z: 'ž' };

function addDiacritics(s: string): string {
  return s.replace(/[aeioucsz]/g, (ch) => (chance(0.5) ? ACCENTS[ch] : ch));
}

function typo(s: string): string {
  if (s.length < 5) return s;
  const i = 2 + Math.floor(random() * (s.length - 3));
  const letters = 'aeiourstnl';
  return s.slice(0, i) + pick(letters.split('').filter((c) => c !== s[i].toLowerCase())) + s.slice(i + 1);
}

/** A listed person's name, altered the way a customer record might differ from the list. */
function perturb(p: Listed): string {
  switch (Math.floor(random() * 4)) {
    case 0:
      return `${p.surname} ${p.given.join(' ')}`;
    case 1:
      return `${p.given[0]} ${p.surname}`;
    case 2:
      return addDiacritics(`${p.given.join(' ')} ${p.surname}`);
    default:
      return `${p.given.join(' ')} ${typo(p.surname)}`;
  }
}

function heapUsed(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const seconds = positiveInteger('BENCH_SECONDS', 10);
  const designations = positiveInteger('BENCH_DESIGNATIONS', 12_000);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sanctions-'));
  try {
    const genStart = performance.now();
    const { rows, listed } = buildList(designations);
    const file = join(dir, 'ConList.csv');
    writeFileSync(file, `\ufeff${formatHmtCsv('01/03/2025', rows)}`);
    const genMs = performance.now() - genStart;

    const before = heapUsed(gc);
    const index = new SanctionsIndex();
    const summary = index.load(file);
    const indexBytes = heapUsed(gc) - before;

    const people = listed.filter((l) => !l.entity);
    const perturbed: ScreeningQuery[] = [];
    for (let i = 0; i < 200; i += 1)
      perturbed.push({ name: perturb(people[Math.floor(random() * people.length)]), kind: 'person' });
    const british: ScreeningQuery[] = BRITISH_NAMES.map((name) => ({ name, kind: 'person' }));
    const queries: ScreeningQuery[] = [];
    for (let i = 0; i < 200; i += 1) queries.push(british[i], perturbed[i]);

    // Warm-up (JIT), then the measured run: sequential screening on the main thread.
    const warmEnd = performance.now() + 1000;
    let k = 0;
    while (performance.now() < warmEnd) index.screen(queries[k++ % queries.length]);

    let screened = 0;
    let hits = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 100; i += 1) {
        if (index.screen(queries[screened % queries.length]).hit) hits += 1;
        screened += 1;
      }
    }
    const elapsed = (performance.now() - start) / 1000;
    const namesPerSecond = screened / elapsed;

    const fp = falsePositiveRate(index, british);
    const missed = perturbed.filter((q) => !index.screen(q).hit);
    const caught = perturbed.length - missed.length;
    const pass = namesPerSecond >= GOAL_NAMES_PER_SECOND;

    const lines = [
      'Sanctions screening benchmark (bench/checks-sanctions.ts)',
      `  machine            ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ''}, node ${process.version}`,
      `  list               ${summary.entries} designations, ${summary.rows} rows, ${summary.names} name entries indexed, file ${mb(statSync(file).size)} (generated in ${genMs.toFixed(0)} ms)`,
      `  load               ${summary.durationMs.toFixed(0)} ms (read + parse + index)`,
      `  index memory       ${mb(indexBytes)} heap after GC`,
      `  queries            ${queries.length} (200 British names + 200 perturbed listed names), one core, ${seconds} s after 1 s warm-up`,
      `  screened           ${screened} names in ${elapsed.toFixed(2)} s, ${hits} hits`,
      `  throughput         ${namesPerSecond.toFixed(0)} names/s (${((elapsed / screened) * 1e6).toFixed(0)} µs/name)  goal ≥ ${GOAL_NAMES_PER_SECOND}  ${pass ? 'PASS' : 'FAIL'}`,
      `  false positives    ${fp.flagged}/${fp.total} British names = ${(fp.rate * 100).toFixed(1)}% (threshold ${MATCH_THRESHOLD})${fp.hits.length ? `: ${fp.hits.map((h) => `${h.name} → ${h.matchedName} (${h.score})`).join('; ')}` : ''}`,
      `  perturbed caught   ${caught}/${perturbed.length} = ${((caught / perturbed.length) * 100).toFixed(1)}%`,
    ];
    if (process.env.BENCH_SHOW_MISSES === '1') {
      for (const q of missed) {
        const best = index.screen(q).matches[0];
        lines.push(`    missed: ${q.name}${best ? ` (best ${best.matchedName} ${best.score})` : ''}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!pass) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A missed goal sets process.exitCode = 1 (see main), which runBench keeps.
if (require.main === module) runBench('checks-sanctions bench', main);
