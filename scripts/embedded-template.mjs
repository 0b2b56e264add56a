// Part of the build (npm run build, and npm install's prepare script): makes the template a new embedded
// database starts from (src/store/embedded-template.ts), unless the one in dist/ already matches.
import { buildTemplate } from '../dist/store/index.js';

const started = performance.now();
const outcome = await buildTemplate();
if (outcome === 'built')
  console.log(`embedded database template built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
