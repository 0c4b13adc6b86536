/**
 * Offline checks of the Bicep templates in `bicep/`, on a real Bicep parse tree.
 *
 * Parsing uses the tree-sitter Bicep grammar (`tree-sitter-bicep`, MIT, with its prebuilt
 * native binding; no download at install or run time). The rules then walk the tree:
 *
 * - `syntax`: the grammar found an error or a missing token;
 * - `api-version`: every `resource` type `Provider/type@version` is in the allow-list;
 * - `no-keys`: no `list*()` call (listKeys, listSecrets, listAccountSas…) and no string with
 *   `AccountKey=` / `SharedAccessKey=`; storage keeps `allowSharedKeyAccess: false`, TLS 1.2 and
 *   no public blob access;
 * - `role-id`: every `{ roleName, roleId }` pair matches the built-in role table, and every GUID
 *   literal is a known built-in role id;
 * - `required-role`: each role the app needs is assigned somewhere;
 * - `tags`: `azd-env-name` on the common tags, every taggable resource tagged, and the
 *   `azd-service-name` tag on each service's site/container app;
 * - `settings`: each app's settings object carries every setting the code reads (by the
 *   disposition list in `bicep/app-settings.json`), the platform settings, no unknown
 *   `STEMFLOW_*` name, and a Durable activity concurrency equal to the worker count.
 *
 * Degenerate input: no files gives no findings (the tests assert the file list separately).
 */
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';

type SyntaxNode = Parser.SyntaxNode;

export type RuleId = 'syntax' | 'api-version' | 'no-keys' | 'role-id' | 'required-role' | 'tags' | 'settings';

export interface Finding {
  rule: RuleId;
  file: string;
  /** 1-based line of the offending node (0 when the finding concerns a missing thing). */
  line: number;
  message: string;
}

export interface BicepSource {
  /** Repository-relative path, e.g. `bicep/modules/storage.bicep`. */
  path: string;
  text: string;
}

export type Disposition = 'set' | 'identity' | 'default';

export interface SettingsManifest {
  apps: Record<string, { variable: string; module: string; service: string }>;
  settings: Record<string, Record<string, unknown> & { why?: string; expect?: Record<string, string> }>;
  platform: Record<string, string[]>;
}

export interface CheckPolicy {
  /** `Provider/type` → allowed API versions. */
  apiVersions: Record<string, string[]>;
  /** Built-in role name → role definition id (GUID, lower case). */
  builtInRoles: Record<string, string>;
  /** Role names the deployment must assign. */
  requiredRoles: readonly string[];
  settings: SettingsManifest;
  /** The names the code reads (shared/config.ts CONFIG_SETTING_NAMES). */
  configNames: readonly string[];
  /** File holding the setting variables and module calls (default `bicep/main.bicep`). */
  mainFile?: string;
  /** Resource types that take no tags (extension and RBAC resources). */
  untaggedTypes?: readonly string[];
}

/** The suffixes of an identity-based connection (Functions `<CONNECTION>__*` convention). */
export const IDENTITY_SUFFIXES = ['blobServiceUri', 'queueServiceUri', 'tableServiceUri', 'credential', 'clientId'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_UNTAGGED = ['Microsoft.Authorization/roleAssignments', 'Microsoft.Insights/diagnosticSettings'];

let parser: Parser | undefined;

/** Parse Bicep text with the tree-sitter grammar. */
export function parseBicep(text: string): Parser.Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Bicep as unknown as Parser.Language);
  }
  return parser.parse(text);
}

/** Depth-first walk over named nodes. */
function* walk(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (const child of node.namedChildren) yield* walk(child);
}

/** Text of a string literal without quotes, or undefined when it has interpolations or is not a string. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.namedChildren
    .filter((c) => c.type === 'string_content' || c.type === 'escape_sequence')
    .map((c) => c.text)
    .join('');
}

/** Key of an object property (identifier or quoted string). */
function propertyKey(prop: SyntaxNode): string | undefined {
  const key = prop.namedChildren[0];
  if (!key) return undefined;
  if (key.type === 'identifier') return key.text;
  return stringValue(key);
}

/** Value node of an object property (the last named child). */
function propertyValue(prop: SyntaxNode): SyntaxNode | undefined {
  const kids = prop.namedChildren;
  return kids.length >= 2 ? kids[kids.length - 1] : undefined;
}

/** The object literal body of a resource/module declaration (through `if`/`for`). */
function declarationBody(decl: SyntaxNode): SyntaxNode | undefined {
  for (const child of decl.namedChildren) {
    if (child.type === 'object') return child;
    if (child.type === 'if_statement' || child.type === 'for_statement') {
      const obj = child.namedChildren.find((c) => c.type === 'object');
      if (obj) return obj;
      // `[for x in xs: if (c) { … }]`
      const nested = child.namedChildren.find((c) => c.type === 'if_statement');
      return nested?.namedChildren.find((c) => c.type === 'object');
    }
  }
  return undefined;
}

function objectProperty(obj: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
  if (!obj) return undefined;
  const prop = obj.namedChildren.find((c) => c.type === 'object_property' && propertyKey(c) === key);
  return prop ? propertyValue(prop) : undefined;
}

function isExisting(decl: SyntaxNode): boolean {
  return decl.children.some((c) => !c.isNamed && c.type === 'existing');
}

interface ResourceInfo {
  file: string;
  line: number;
  symbol: string;
  /** Full type, e.g. Microsoft.Storage/storageAccounts (undefined for relative child types). */
  type?: string;
  version?: string;
  existing: boolean;
  nested: boolean;
  body?: SyntaxNode;
}

function collectResources(file: string, root: SyntaxNode): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const node of walk(root)) {
    if (node.type !== 'resource_declaration') continue;
    const typeNode = node.namedChildren.find((c) => c.type === 'string');
    const typeText = stringValue(typeNode) ?? typeNode?.text ?? '';
    const at = typeText.indexOf('@');
    const nested = node.parent?.type !== 'infrastructure';
    out.push({
      file,
      line: node.startPosition.row + 1,
      symbol: node.namedChildren.find((c) => c.type === 'identifier')?.text ?? '?',
      type: at > 0 ? typeText.slice(0, at) : undefined,
      version: at > 0 ? typeText.slice(at + 1) : undefined,
      existing: isExisting(node),
      nested,
      body: declarationBody(node),
    });
  }
  return out;
}

/** Variables of a file: name → expression node. */
function collectVariables(root: SyntaxNode): Map<string, SyntaxNode> {
  const vars = new Map<string, SyntaxNode>();
  for (const node of root.namedChildren) {
    if (node.type !== 'variable_declaration') continue;
    const name = node.namedChildren[0]?.text;
    const expr = node.namedChildren[node.namedChildren.length - 1];
    if (name && expr) vars.set(name, expr);
  }
  return vars;
}

/**
 * Keys of an app-settings expression: object literals, `union(...)` arguments, both branches of
 * a ternary, parentheses, and variables (resolved in the same file). Later keys win, as in union().
 */
export function collectSettingKeys(expr: SyntaxNode, vars: Map<string, SyntaxNode>, seen = new Set<string>()): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  const add = (m: Map<string, { value: string; line: number }>) => {
    for (const [k, v] of m) out.set(k, v);
  };
  switch (expr.type) {
    case 'object':
      for (const prop of expr.namedChildren) {
        if (prop.type !== 'object_property') continue;
        const key = propertyKey(prop);
        const value = propertyValue(prop);
        if (key && value) out.set(key, { value: value.text, line: prop.startPosition.row + 1 });
      }
      break;
    case 'call_expression': {
      const fn = expr.childForFieldName('function');
      const args = expr.childForFieldName('arguments') ?? expr.namedChildren.find((c) => c.type === 'arguments');
      if (fn?.text === 'union' && args) for (const a of args.namedChildren) add(collectSettingKeys(a, vars, seen));
      break;
    }
    case 'ternary_expression':
      for (const branch of expr.namedChildren.slice(1)) add(collectSettingKeys(branch, vars, seen));
      break;
    case 'parenthesized_expression':
      for (const c of expr.namedChildren) add(collectSettingKeys(c, vars, seen));
      break;
    case 'identifier': {
      const target = vars.get(expr.text);
      if (target && !seen.has(expr.text)) {
        seen.add(expr.text);
        add(collectSettingKeys(target, vars, seen));
      }
      break;
    }
    default:
      break;
  }
  return out;
}

/** Disposition of a setting for one app from the manifest entry. */
function dispositionOf(entry: Record<string, unknown>, app: string): Disposition | undefined {
  const d = entry[app];
  return d === 'set' || d === 'identity' || d === 'default' ? d : undefined;
}

/** Run every rule over the given Bicep sources. */
export function checkBicep(sources: readonly BicepSource[], policy: CheckPolicy): Finding[] {
  const findings: Finding[] = [];
  if (sources.length === 0) return findings;
  const report = (rule: RuleId, file: string, line: number, message: string) => findings.push({ rule, file, line, message });
  const mainPath = policy.mainFile ?? 'bicep/main.bicep';
  const untagged = new Set(policy.untaggedTypes ?? DEFAULT_UNTAGGED);
  const knownRoleIds = new Map(Object.entries(policy.builtInRoles).map(([name, id]) => [id.toLowerCase(), name]));
  const rolesSeen = new Set<string>();
  const trees = new Map<string, SyntaxNode>();

  for (const src of sources) {
    const root = parseBicep(src.text).rootNode;
    trees.set(src.path, root);

    // syntax
    for (const node of walk(root)) {
      if (node.type === 'ERROR' || node.isMissing) {
        report('syntax', src.path, node.startPosition.row + 1, `Bicep syntax error near "${node.text.slice(0, 60)}"`);
      }
    }
    // `isMissing` nodes are not named: look at every descendant too.
    if (root.hasError && !findings.some((f) => f.rule === 'syntax' && f.file === src.path)) {
      report('syntax', src.path, 0, 'Bicep syntax error (missing token)');
    }

    // api-version
    for (const res of collectResources(src.path, root)) {
      if (!res.type) {
        if (!res.nested) report('api-version', src.path, res.line, `resource ${res.symbol} has no "@version" in its type`);
        continue;
      }
      const allowed = policy.apiVersions[res.type];
      if (!allowed) report('api-version', src.path, res.line, `resource type ${res.type} (${res.symbol}) is not in the API version allow-list`);
      else if (!allowed.includes(res.version ?? '')) {
        report('api-version', src.path, res.line, `${res.type}@${res.version} (${res.symbol}) is not an allowed API version (allowed: ${allowed.join(', ')})`);
      }
    }

    // no-keys, GUIDs, role pairs
    for (const node of walk(root)) {
      if (node.type === 'call_expression') {
        const fn = node.childForFieldName('function');
        const name = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : fn?.text;
        if (name && /^list/i.test(name)) report('no-keys', src.path, node.startPosition.row + 1, `${name}() exposes keys or secrets; use managed identity`);
      } else if (node.type === 'string') {
        const text = node.text;
        if (/AccountKey\s*=|SharedAccessKey\s*=|AccountKey\b/i.test(text)) {
          report('no-keys', src.path, node.startPosition.row + 1, `string carries a storage/shared access key: ${text.slice(0, 80)}`);
        }
        const value = stringValue(node);
        if (value && GUID.test(value) && !knownRoleIds.has(value.toLowerCase())) {
          report('role-id', src.path, node.startPosition.row + 1, `GUID ${value} is not a built-in role id in the table`);
        }
      } else if (node.type === 'object') {
        const roleName = stringValue(objectProperty(node, 'roleName'));
        const roleId = stringValue(objectProperty(node, 'roleId'));
        if (roleName !== undefined || roleId !== undefined) {
          const expected = roleName !== undefined ? policy.builtInRoles[roleName] : undefined;
          if (roleName === undefined || roleId === undefined) {
            report('role-id', src.path, node.startPosition.row + 1, 'role object needs both roleName and roleId string literals');
          } else if (!expected) {
            report('role-id', src.path, node.startPosition.row + 1, `role "${roleName}" is not in the built-in role table`);
          } else if (expected.toLowerCase() !== roleId.toLowerCase()) {
            report('role-id', src.path, node.startPosition.row + 1, `role "${roleName}" has id ${roleId}, built-in id is ${expected}`);
          } else {
            rolesSeen.add(roleName);
          }
        }
      } else if (node.type === 'object_property') {
        // storage hardening
        const key = propertyKey(node);
        const value = propertyValue(node)?.text;
        const line = node.startPosition.row + 1;
        if (key === 'allowSharedKeyAccess' && value !== 'false') report('no-keys', src.path, line, `allowSharedKeyAccess must be false, got ${value}`);
        if (key === 'allowBlobPublicAccess' && value !== 'false') report('no-keys', src.path, line, `allowBlobPublicAccess must be false, got ${value}`);
        if (key === 'minimumTlsVersion' && value !== "'TLS1_2'") report('no-keys', src.path, line, `minimumTlsVersion must be 'TLS1_2', got ${value}`);
        if (key === 'adminUserEnabled' && value !== 'false') report('no-keys', src.path, line, `registry admin user (a password) must stay disabled, got ${value}`);
      }
    }
    for (const res of collectResources(src.path, root)) {
      if (res.type === 'Microsoft.Storage/storageAccounts' && !res.existing) {
        const props = objectProperty(res.body, 'properties');
        for (const key of ['allowSharedKeyAccess', 'allowBlobPublicAccess', 'minimumTlsVersion']) {
          if (!objectProperty(props, key)) report('no-keys', src.path, res.line, `storage account ${res.symbol} does not set ${key}`);
        }
      }
    }

    // tags on every taggable top-level resource
    for (const res of collectResources(src.path, root)) {
      if (res.existing || res.nested || !res.type || untagged.has(res.type)) continue;
      if (res.type.split('/').length > 2) continue; // child resources inherit nothing but take no azd tags
      if (!objectProperty(res.body, 'tags')) report('tags', src.path, res.line, `resource ${res.symbol} (${res.type}) has no tags`);
    }
  }

  for (const role of policy.requiredRoles) {
    if (!rolesSeen.has(role)) report('required-role', mainPath, 0, `required role "${role}" is not assigned (no { roleName, roleId } pair for it)`);
  }

  const main = trees.get(mainPath);
  if (!main) {
    if (sources.length > 0) report('settings', mainPath, 0, `${mainPath} is missing`);
    return findings;
  }
  checkTagsAndServices(main, mainPath, trees, policy, report);
  checkSettings(main, mainPath, policy, report);
  return findings;
}

type Reporter = (rule: RuleId, file: string, line: number, message: string) => void;

function moduleDeclarations(root: SyntaxNode): Map<string, { path: string; body?: SyntaxNode; line: number }> {
  const out = new Map<string, { path: string; body?: SyntaxNode; line: number }>();
  for (const node of root.namedChildren) {
    if (node.type !== 'module_declaration') continue;
    const name = node.namedChildren.find((c) => c.type === 'identifier')?.text;
    const path = stringValue(node.namedChildren.find((c) => c.type === 'string')) ?? '';
    if (name) out.set(name, { path, body: declarationBody(node), line: node.startPosition.row + 1 });
  }
  return out;
}

function checkTagsAndServices(main: SyntaxNode, mainPath: string, trees: Map<string, SyntaxNode>, policy: CheckPolicy, report: Reporter): void {
  const envTagged = [...walk(main)].some((n) => n.type === 'object' && n.namedChildren.some((p) => p.type === 'object_property' && propertyKey(p) === 'azd-env-name'));
  if (!envTagged) report('tags', mainPath, 0, "no object carries the 'azd-env-name' tag");

  const modules = moduleDeclarations(main);
  const dir = mainPath.slice(0, mainPath.lastIndexOf('/') + 1);
  for (const [name, mod] of modules) {
    const target = trees.get(dir + mod.path);
    if (!target) {
      report('tags', mainPath, mod.line, `module ${name} points at ${mod.path}, which is not among the checked files`);
      continue;
    }
    const taggable = collectResources(dir + mod.path, target).some((r) => !r.existing && !r.nested && r.type && r.type.split('/').length === 2 && !(policy.untaggedTypes ?? DEFAULT_UNTAGGED).includes(r.type));
    if (!taggable) continue;
    const tagsArg = objectProperty(objectProperty(mod.body, 'params'), 'tags');
    if (!tagsArg || !/allTags/.test(tagsArg.text)) report('tags', mainPath, mod.line, `module ${name} does not pass the azd tags (params.tags from allTags)`);
  }

  for (const [app, spec] of Object.entries(policy.settings.apps)) {
    const mod = modules.get(spec.module);
    if (!mod) {
      report('tags', mainPath, 0, `module "${spec.module}" (app ${app}) is not declared`);
      continue;
    }
    const params = objectProperty(mod.body, 'params');
    const tagParam = params?.namedChildren.find((p) => p.type === 'object_property' && new RegExp(`'azd-service-name'\\s*:\\s*'${spec.service}'`).test(propertyValue(p)?.text ?? ''));
    if (!tagParam) {
      report('tags', mainPath, mod.line, `module ${spec.module} passes no 'azd-service-name': '${spec.service}' tag`);
      continue;
    }
    const paramName = propertyKey(tagParam);
    const target = trees.get(dir + mod.path);
    const site = target && collectResources(dir + mod.path, target).find((r) => r.type === 'Microsoft.Web/sites' || r.type === 'Microsoft.App/containerApps');
    if (!site) {
      report('tags', dir + mod.path, 0, `module ${spec.module} declares no Microsoft.Web/sites or Microsoft.App/containerApps resource`);
    } else if (objectProperty(site.body, 'tags')?.text !== paramName) {
      report('tags', site.file, site.line, `${site.symbol} is not tagged with the param "${paramName}" that carries azd-service-name`);
    }
  }
}

function checkSettings(main: SyntaxNode, mainPath: string, policy: CheckPolicy, report: Reporter): void {
  const manifest = policy.settings;
  const configNames = new Set(policy.configNames);
  for (const name of policy.configNames) {
    if (!manifest.settings[name]) report('settings', 'bicep/app-settings.json', 0, `${name} is read by the code but has no disposition in app-settings.json`);
  }
  for (const name of Object.keys(manifest.settings)) {
    if (!configNames.has(name)) report('settings', 'bicep/app-settings.json', 0, `${name} is listed in app-settings.json but the code does not read it`);
  }
  const vars = collectVariables(main);
  const modules = moduleDeclarations(main);
  for (const [app, spec] of Object.entries(manifest.apps)) {
    const varNode = vars.get(spec.variable);
    if (!varNode) {
      report('settings', mainPath, 0, `variable ${spec.variable} (settings of app ${app}) is not declared`);
      continue;
    }
    const passed = objectProperty(objectProperty(modules.get(spec.module)?.body, 'params'), 'appSettings');
    if (passed?.text !== spec.variable) report('settings', mainPath, modules.get(spec.module)?.line ?? 0, `module ${spec.module} does not pass appSettings: ${spec.variable}`);
    const keys = collectSettingKeys(varNode, vars);
    for (const [name, entry] of Object.entries(manifest.settings)) {
      const d = dispositionOf(entry, app);
      if (!d) {
        report('settings', 'bicep/app-settings.json', 0, `${name} has no valid disposition (set | identity | default) for app ${app}`);
        continue;
      }
      if (d === 'set') {
        const got = keys.get(name);
        if (!got) report('settings', mainPath, 0, `${name} is needed by the code but app ${app} (${spec.variable}) does not set it`);
        else if (entry.expect?.[app] !== undefined && got.value !== entry.expect[app]) {
          report('settings', mainPath, got.line, `${name} of app ${app} is ${got.value}, expected ${entry.expect[app]}`);
        }
      } else if (d === 'identity') {
        if (keys.has(name)) report('settings', mainPath, keys.get(name)!.line, `${name} of app ${app} must use the identity form, not a connection string`);
        for (const suffix of IDENTITY_SUFFIXES) {
          if (!keys.has(`${name}__${suffix}`)) report('settings', mainPath, 0, `${name}__${suffix} is missing from app ${app} (identity-based connection)`);
        }
        const credential = keys.get(`${name}__credential`);
        if (credential && credential.value !== "'managedidentity'") report('settings', mainPath, credential.line, `${name}__credential must be 'managedidentity', got ${credential.value}`);
      } else {
        if (!entry.why) report('settings', 'bicep/app-settings.json', 0, `${name} is left to its default for app ${app} without a "why"`);
        if (keys.has(name)) report('settings', mainPath, keys.get(name)!.line, `${name} is listed as default for app ${app} but ${spec.variable} sets it`);
      }
    }
    for (const key of manifest.platform[app] ?? []) {
      if (!keys.has(key)) report('settings', mainPath, 0, `platform setting ${key} is missing from app ${app}`);
    }
    for (const [key, v] of keys) {
      if (key.startsWith('STEMFLOW_') && !configNames.has(key)) report('settings', mainPath, v.line, `${key} (app ${app}) is not a setting the code reads`);
    }
    // Durable activity concurrency must equal the Node worker count (DESIGN §5).
    const workers = keys.get('FUNCTIONS_WORKER_PROCESS_COUNT')?.value.replace(/'/g, '') ?? '1';
    const activities = keys.get('AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions')?.value.replace(/'/g, '');
    if (activities !== undefined && activities !== workers) {
      report('settings', mainPath, 0, `app ${app}: maxConcurrentActivityFunctions ${activities} differs from FUNCTIONS_WORKER_PROCESS_COUNT ${workers}`);
    }
  }
  // The Durable Task Scheduler settings (conditional on the backend) reach every app.
  for (const [app, spec] of Object.entries(manifest.apps)) {
    const v = vars.get(spec.variable);
    if (!v) continue;
    const keys = collectSettingKeys(v, vars);
    for (const key of manifest.platform.durableTaskScheduler ?? []) {
      if (!keys.has(key)) report('settings', mainPath, 0, `Durable Task Scheduler setting ${key} is missing from app ${app}`);
    }
  }
}
