// Piscina worker entry when the host runs from the TypeScript sources: register tsx's loader in
// this thread, then load the activity worker. (From dist/, the pool loads activityWorker.js directly.)
import { register } from 'tsx/esm/api';

register();
const mod = await import('./activityWorker.ts');
export default mod.default;
