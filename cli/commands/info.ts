import { getConfig } from '../../shared/config.js';
import { describeRuntime } from '../../shared/pipeline/runtime.js';
import { VERSION } from '../../shared/version.js';
import { runtimeSettings } from '../../functions/core.js';
import { parseCliArgs } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';

const help = `usage: stemflow info [--json]

Reports the version, the mode (mock or model, from STEMFLOW_MODE), which separation and generation
engines run, the ONNX Runtime execution provider (STEMFLOW_EXECUTION_PROVIDER), and every model in
models/manifest.json with the files missing from the model folder (STEMFLOW_MODEL_DIR).

options:
  --json   print the report as JSON
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCliArgs(argv, { json: { type: 'boolean' } });
  const config = getConfig();
  const report = await describeRuntime(runtimeSettings(config));
  if (values.json) {
    io.stdout(JSON.stringify({ version: VERSION, modelDir: config.models.dir, ...report }, null, 2) + '\n');
    return 0;
  }
  const mark = (ok: boolean) => (ok ? 'ready' : 'MISSING');
  const lines = [
    `stemflow ${VERSION}`,
    `mode                ${report.mode}`,
    `separation          ${report.separation.engine}${report.separation.model ? ` (${report.separation.model})` : ''}: ${mark(report.separation.installed)}`,
    `generation          ${report.generation.engine}: ${mark(report.generation.installed)}`,
    `execution provider  ${report.executionProvider.requested} requested${report.executionProvider.active ? `, ${report.executionProvider.active} active` : ''}`,
    `model folder        ${config.models.dir}`,
    'models:',
    ...report.models.map((m) => `  ${m.id.padEnd(20)} ${m.task.padEnd(12)} ${m.installed ? 'installed' : `missing ${m.missing.length} file(s) — npm run models:fetch ${m.id}`}`),
  ];
  io.stdout(lines.join('\n') + '\n');
  return 0;
}

export const command: CliCommand = { name: 'info', summary: 'show the mode, engines, execution provider and installed models', help, run };
