// One jest invocation for the whole workspace. Tests import workspace packages
// from source (moduleNameMapper) so a unit run needs no build; end-to-end tests
// spawn the built CLI, which is why scripts/test.sh builds first.
const transform = {
  '^.+\\.(t|j|mj)sx?$': [
    '@swc/jest',
    { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
  ],
};
// ESM-only dependencies that jest's CommonJS runtime must transpile.
const esmDeps = [
  '@platformatic',
  '@modelcontextprotocol',
  'pkce-challenge',
  '@electric-sql',
  '@nats-io',
  'nats',
  'eventsource-parser',
];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?(${esmDeps.join('|')}))`],
  moduleNameMapper: {
    '^@qi/core/testkit$': '<rootDir>/packages/core/src/testkit/index.ts',
    '^@qi/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  testTimeout: 120000,
  // jest's default on 2 cores is one worker; the longest suites (3-minute outages,
  // broker restarts) mostly wait on services, so a few workers share the cores well
  maxWorkers: Number(process.env.QI_JEST_WORKERS ?? 3),
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/examples/**/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/integration/', '/node_modules/', '/e2e/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/packages/*/test/integration/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        '<rootDir>/examples/**/test/integration/**/*.test.ts',
      ],
      testTimeout: 120000,
    },
  ],
};
