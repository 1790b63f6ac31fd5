import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
  expect(first).toMatch(
    /PIPELINE \/ TARGET\s+STATE\s+RATE\/s\s+TOTAL\s+IN-FLIGHT\s+RETRIES\s+BREAKER\s+DEAD\s+FAILED\s+LAG\s+LAST OK\s+LAST ERROR/,
  );
  // in-flight, retries, breaker, dead letters, failed of the target
  expect(first).toMatch(/→ out\s+ok\s+\S+\s+\d+\s+\d+\s+0\s+closed\s+0\s+0\s/);
  const rate1 = targetRate(first)!;
  const second = await screenUntil((t) => {
    const r2 = targetRate(t);
    return r2 !== undefined && r2 !== rate1;
  }, `a rate other than ${rate1}`);
  expect(targetRate(second)).not.toBe(rate1);
  // the run stops: the view stays, saying so, until q
  r.child.kill('SIGTERM');
  expect((await r.done).code).toBe(0);
  let stopped = '';
  for (let i = 0; i < 100 && !stopped.includes(`no answer from ${url}/status`); i++) {
    await sleep(200);
    stopped = screen();
  }
  expect(stopped).toContain(`no answer from ${url}/status`);
  expect(stopped).toMatch(/^ramp\s/m);
  tmux('send-keys', '-t', 'top', 'q');
  let after = '';
  for (let i = 0; i < 100 && !after.includes('qi top exited'); i++) {
    await sleep(200);
    after = screen();
  }
  expect(after).toContain('qi top exited 0');
  // quitting restored the terminal: the main screen is back, not the view
  expect(after).not.toContain('PIPELINE / TARGET');
});

it("without --port or --url, reads the port from the config's metrics.port", async () => {
  const other = rampProject(RAMP_CONFIG);
  const p = qiRun(other.dir, ['--metrics-port', '0']);
  try {
    await until(
      () => metricsUrl(p) !== undefined,
      p,
      60_000,
      () => 'the metrics.listening log line',
    );
    const port = new URL(metricsUrl(p)!).port;
    writeFileSync(path.join(other.dir, 'top.yaml'), `metrics: { port: ${port} }\npipelines: {}\n`);
    const out = execFileSync(process.execPath, [QI, '-c', 'top.yaml', 'top', '--once', '--interval', '200'], {
      cwd: other.dir,
      encoding: 'utf8',
    });
    expect(out).toContain(`qi top  http://127.0.0.1:${port}`);
    expect(out).toMatch(/^ramp\s+running\s/m);
  } finally {
    p.child.kill('SIGTERM');
    await p.done;
    other.cleanup();
  }
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
