/** The seeded generator (mulberry32) for property-style tests: the same seed, the same cases. */
export { prng, between, pick } from '../../src/lib/prng.js';
