// Entry of the region worker when running from the TypeScript sources: register tsx's loader in
// this thread, then load the worker. (From dist/, parallel.js starts regionWorker.js directly.)
import { register } from 'tsx/esm/api';

register();
await import('./regionWorker.ts');
