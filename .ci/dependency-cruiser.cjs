// Dependency directions between Gatehouse's areas (CONVENTIONS.md habit 11), checked by
// `npm run boundaries` and in .ci/run. The rules are generated from LAYERS below: an area may import
// its own files and any area of a LOWER layer; never a higher layer, nor another area of its own
// layer. Adding an area is one line in LAYERS. A lower area that needs a higher one announces
// (a durable job the higher area handles) or defines a port the higher area implements.
// Spec files (*.spec.ts) live in their area's folder and follow its rule; test/ and bench/ may import
// anything from src/; nothing in src/ may import test/ or bench/ (a unit spec may reuse test/harness/).
// There is no list of tolerated violations: main obeys every rule.

/** One entry per layer, lowest first: area name → regular expression on the file path. */
const LAYERS = [
  { config: '^src/config/' },
  { common: '^src/common/' },
  // Reference data and identifier formats every area validates against (ICAO countries, Companies House).
  { reference: '^src/reference/' },
  { redis: '^src/redis/' },
  { queue: '^src/queue/' },
  { auth: '^src/auth/' },
  { audit: '^src/audit/' },
  { notifications: '^src/notifications/' },
  { accounts: '^src/accounts/' },
  { organisations: '^src/organisations/' },
  { kyc: '^src/kyc/' },
  { review: '^src/review/' },
  { apps: '^src/apps/' },
  // Bank customers (their JWTs) and the synthetic sandbox bank; implements the customer port.
  { customers: '^src/customers/' },
  // Customer consents: receipts, the customer API, revocation, the decision point, the access log.
  { consents: '^src/consents/' },
  { oauth: '^src/oauth/' },
  // The sandbox data API apps call with OAuth access tokens, filtered by consents.
  { 'sandbox-api': '^src/sandbox-api/' },
  // Composition roots: wire the areas together, so they may import anything.
  {
    health: '^src/health/',
    cli: '^src/cli/',
    // src/database lists every area's entities and migrations for the data source: it wires, too.
    database: '^src/database/',
    roots: '^src/(app[.]module|bootstrap|main)[.]ts$|^migrations/',
  },
];

const either = (patterns) => patterns.map((p) => `(${p})`).join('|');

const layerRules = LAYERS.flatMap((layer, level) => {
  const higher = LAYERS.slice(level + 1).flatMap((l) => Object.values(l));
  return Object.entries(layer)
    .filter(() => level < LAYERS.length - 1)
    .map(([area, path]) => {
      const siblings = Object.entries(layer)
        .filter(([other]) => other !== area)
        .map(([, p]) => p);
      return {
        name: `layer-${area}`,
        comment:
          `${area} (layer ${level}) may import only its own files and lower layers: ` +
          'no higher layer, no other area of the same layer. Announce (a job) or define a port instead.',
        severity: 'error',
        from: { path },
        to: { path: either([...higher, ...siblings]) },
      };
    });
});

const allAreas = either(LAYERS.flatMap((l) => Object.values(l)));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; break it by moving the shared part down a layer.',
      severity: 'error',
      from: { path: '^(src|migrations)/' },
      to: { circular: true },
    },
    {
      name: 'not-in-a-layer',
      comment: 'Every file under src/ belongs to an area listed in LAYERS (.ci/dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^src/', pathNot: allAreas },
      to: {},
    },
    {
      name: 'src-not-to-tests',
      comment: 'Product code never imports tests or benchmarks; unit specs may reuse test/harness/ helpers.',
      severity: 'error',
      from: { path: '^(src|migrations)/', pathNot: '[.]spec[.]ts$' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'specs-to-harness-only',
      comment: 'A unit spec may reuse the test harness, nothing else of test/ or bench/.',
      severity: 'error',
      from: { path: '^src/.+[.]spec[.]ts$' },
      to: { path: '^(test|bench)/', pathNot: '^test/harness/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|var|node_modules)/' },
    // Type-only imports count: a type from a higher area is as much a dependency as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
