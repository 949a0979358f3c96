/**
 * README code blocks as tests: every shell, JavaScript and TypeScript block runs as a reader would
 * paste it, unless the line before it (blank lines aside) says why it cannot run here:
 *
 *     <!-- readme-test: skip, starts a server (the test starts its own) -->
 *
 * A new block is therefore tested by default. Blocks in other languages (`text`, `json`, none)
 * are shown output or layout and never run.
 *
 * How a block runs: as a reader in one terminal would run them, in order, in one directory (a
 * file an earlier block wrote is there), each block its own process (so no variable carries over:
 * every block defines what it uses), with the reader's stated preconditions in place: a server
 * running (the test's own; its address replaces `http://127.0.0.1:8080`, the default, in the block,
 * and CABINET_BASE_URL points at it for code that relies on the default) and CABINET_API_KEY
 * exported. Shell blocks run in bash with
 * `set -euo pipefail` (a failing command or an undefined variable fails the block); JavaScript blocks
 * run as ES modules (`.mjs`); TypeScript blocks are stripped of their types (TypeScript's
 * `transpileModule`) and run the same way.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Snippet {
  /** `sh`, `js` or `ts` for blocks that run; the fence's language otherwise. */
  kind: 'sh' | 'js' | 'ts' | 'other';
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest heading above the block. */
  section: string;
  /** Why the block is not run, when its marker says so. */
  skip?: string;
}

const KINDS: Record<string, Snippet['kind']> = { sh: 'sh', bash: 'sh', shell: 'sh', js: 'js', mjs: 'js', javascript: 'js', ts: 'ts', typescript: 'ts' };
const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The fenced code blocks of a Markdown document, with their markers. */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let section = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const heading = /^#{1,6}\s+(.*)$/.exec(text);
    if (heading) section = heading[1] ?? section;
    const fence = /^(```+|~~~+)\s*([\w-]*)/.exec(text);
    if (!fence) continue;
    const close = fence[1] ?? '```';
    const lang = (fence[2] ?? '').toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith(close)) body.push(lines[j++] ?? '');
    // The marker: the nearest non-blank line above the fence.
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const marker = MARKER.exec((lines[k] ?? '').trim());
    let skip: string | undefined;
    if (marker) {
      const instruction = /^skip,\s*(\S.*)$/.exec(marker[1] ?? '');
      if (!instruction) throw new Error(`line ${k + 1}: a readme-test marker must read "<!-- readme-test: skip, <why> -->": ${lines[k]}`);
      skip = instruction[1];
    }
    snippets.push({ kind: KINDS[lang] ?? 'other', lang, code: body.join('\n'), line: i + 1, section, ...(skip ? { skip } : {}) });
    i = j;
  }
  return snippets;
}

export interface RunContext {
  /** Where the block runs (the same directory for every block of a document). */
  cwd: string;
  serverUrl: string;
  apiKey: string;
  /** Extra environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one block (see the file comment for how). */
export async function runSnippet(snippet: Snippet, context: RunContext): Promise<RunResult> {
  await mkdir(context.cwd, { recursive: true });
  const code = snippet.code.replaceAll(DEFAULT_URL, context.serverUrl);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CABINET_') && !k.startsWith('ANTHROPIC_')) env[k] = v;
  Object.assign(env, { CABINET_API_KEY: context.apiKey, CABINET_BASE_URL: context.serverUrl, CABINET_LOG_LEVEL: 'warn' }, context.env);
  let command: string;
  let args: string[];
  if (snippet.kind === 'sh') {
    const file = join(context.cwd, `.snippet-${snippet.line}.sh`);
    await writeFile(file, `set -euo pipefail\n${code}\n`);
    [command, args] = ['bash', [file]];
  } else if (snippet.kind === 'js' || snippet.kind === 'ts') {
    const file = join(context.cwd, `.snippet-${snippet.line}.mjs`);
    await writeFile(file, snippet.kind === 'ts' ? await stripTypes(code) : code);
    [command, args] = [process.execPath, [file]];
  } else {
    throw new Error(`a ${snippet.lang || 'plain'} block does not run`);
  }
  return new Promise((resolve) => {
    execFile(command, args, { cwd: context.cwd, env, timeout: context.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** TypeScript → JavaScript (types removed, ES module kept), with the repository's TypeScript. */
async function stripTypes(code: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const ts = require('typescript') as typeof import('typescript');
  return ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

/** What a failure report says: where the block is, what it printed, and how to mark it if it cannot run. */
export function failureReport(file: string, snippet: Snippet, result: RunResult): string {
  return [
    `${file} line ${snippet.line} (section "${snippet.section}"): the ${snippet.lang} block failed (exit ${result.code}).`,
    `--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`,
    'Fix the block so it runs as pasted, or, if it cannot run in a test (it needs a service the test does not have),',
    'put "<!-- readme-test: skip, <why> -->" on the line before it.',
  ].join('\n');
}
