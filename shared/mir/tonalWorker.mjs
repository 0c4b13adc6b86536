// Entry of the tonal worker when running from the TypeScript sources: register tsx's loader in
// this thread, then load the worker. (From dist/, tonalThread.js starts tonalWorker.js directly.)
import { register } from 'tsx/esm/api';

register();
await import('./tonalWorker.ts');
