import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO } from './helpers';
import { metricsUrl, type QiProcess, qiRun, sleep, until } from './outage';
import { RAMP_CONFIG, rampProject } from './top-project';

// `qi top` in a real terminal (tmux) against a running `qi run`: the screen shows
// the pipeline and its target, the target's rate changes between two readings
// of the screen, and `q` ends it.
const QI = path.join(REPO, 'packages/core/bin/qi.cjs');
const SOCKET = `qi-top-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TERM: 'xterm-256color' },
  });
const screen = () => tmux('capture-pane', '-p', '-t', 'top');
/** the RATE/s cell of the target's row, when the screen shows a number there */
const targetRate = (text: string) => /→ out\s+ok\s+(\d+(?:\.\d)?)\s/.exec(text)?.[1];

let project: ReturnType<typeof rampProject>;
let run: QiProcess | undefined;
beforeAll(() => {
  project = rampProject(RAMP_CONFIG);
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  if (run && !run.exited) {
    run.child.kill('SIGTERM');
    await run.done;
  }
  project.cleanup();
});

async function screenUntil(check: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  await until(
    () => {
      text = screen();
      return check(text);
    },
    run!,
    60_000,
    () => `${what}; the screen:\n${text}`,
  );
  return text;
}

it('shows the pipeline, its target and a rate that changes, and quits on q', async () => {
  run = qiRun(project.dir, ['--metrics-port', '0']);
  const r = run;
  await until(
    () => metricsUrl(r) !== undefined,
    r,
    60_000,
    () => 'the metrics.listening log line',
  );
  const url = metricsUrl(r)!;
  tmux(
    'new-session',
    '-d',
    '-s',
    'top',
    '-x',
    '180',
    '-y',
    '30',
    `${process.execPath} ${QI} top --url ${url} --interval 500; echo "qi top exited $?"; sleep 600`,
  );
  const first = await screenUntil(
    (t) => targetRate(t) !== undefined && Number(targetRate(t)) > 0,
    'a rate on the row of target out',
  );
  expect(first).toContain(`qi top  ${url}`);
  expect(first).toMatch(/^ramp\s+running\s/m);
  expect(first).toMatch(/← source qi-test-ramp/);
  expect(first).toMatch(/→ out\s+ok\s/);
  const rate1 = targetRate(first)!;
  const second = await screenUntil((t) => {
    const r2 = targetRate(t);
    return r2 !== undefined && r2 !== rate1;
  }, `a rate other than ${rate1}`);
  expect(targetRate(second)).not.toBe(rate1);
  tmux('send-keys', '-t', 'top', 'q');
  const after = await screenUntil((t) => t.includes('qi top exited'), 'qi top to exit');
  expect(after).toContain('qi top exited 0');
  // quitting restored the terminal: the main screen is back, not the view
  expect(after).not.toContain('PIPELINE / TARGET');
  await sleep(0);
});

it('says clearly that nothing answers at the URL, exit 1', () => {
  let out = '';
  let code = 0;
  try {
    execFileSync(process.execPath, [QI, 'top', '--url', 'http://127.0.0.1:9'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    const x = e as { status: number; stderr: string };
    code = x.status;
    out = x.stderr;
  }
  expect(code).toBe(1);
  expect(out).toContain('qi top: nothing answers at http://127.0.0.1:9/status');
  expect(out).toContain('--metrics-port');
});
