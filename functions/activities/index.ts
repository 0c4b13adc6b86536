/** Every activity definition (one per file). */
import { analyzeMixActivity } from './analyzeMix.js';
import { joinStemsActivity } from './joinStems.js';
import { notifyActivity } from './notify.js';
import { prepareAudioActivity } from './prepareAudio.js';
import { renderStemActivity } from './renderStem.js';
import { separateChunkActivity } from './separateChunk.js';
import { separateStemsActivity } from './separateStems.js';
import { transcribeStemsActivity } from './transcribeStems.js';
import { writeJamsActivity } from './writeJams.js';

export const activityDefinitions = [
  prepareAudioActivity,
  separateStemsActivity,
  separateChunkActivity,
  joinStemsActivity,
  analyzeMixActivity,
  transcribeStemsActivity,
  writeJamsActivity,
  renderStemActivity,
  notifyActivity,
] as const;
export { prepareAudioActivity, separateStemsActivity, separateChunkActivity, joinStemsActivity, analyzeMixActivity, transcribeStemsActivity, writeJamsActivity, renderStemActivity, notifyActivity };
