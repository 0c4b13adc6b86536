#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the bin never goes stale against the sources.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
