// The Prometheus of the Docker Compose stack (deployment/prometheus/): its configuration and alert rules
// checked by promtool, each alert shown firing by promtool's rule unit tests (alerts.test.yml), and the
// scrape targets held to the project's own ports, auth and Compose mounts. No Docker needed.
//
// promtool comes with Prometheus (apt-get install prometheus; brew install prometheus). Without it these
// checks are skipped with that hint, except under TEMPORAL_REQUIRED=1 (CI, which installs it), where its
// absence fails them: CI must prove the rules, not skip them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, type TestContext } from 'vitest';
import { parse } from 'yaml';
import { ENV_DEFAULTS } from '../shared/config.ts';
import type { RunningService } from '../shared/service/serve.ts';
import { ROOT } from './support/processes.ts';
import { startServerA } from './support/services.ts';

const DIR = join(ROOT, 'deployment/prometheus');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

interface ScrapeConfig {
  job_name: string;
  authorization?: { credentials_file?: string };
  static_configs: Array<{ targets: string[] }>;
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
}

const config = parse(read('prometheus.yml')) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
const rules = (parse(read('alerts.yml')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const ruleTests = parse(read('alerts.test.yml')) as { rule_files: string[]; tests: RuleTest[] };
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { volumes?: string[]; configs?: Array<{ source: string; target: string }>; extra_hosts?: string[] }>;
  configs?: Record<string, { content?: string }>;
};

const promtoolFound = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs promtool; skips the test when it is missing, or fails it when the run must not skip. */
function promtool(context: TestContext, args: string[], options: { cwd?: string; input?: string } = {}) {
  if (!promtoolFound) {
    if (process.env.TEMPORAL_REQUIRED === '1') {
      throw new Error(
        'promtool is not on PATH, and with TEMPORAL_REQUIRED=1 the rules must be checked: install it (apt-get install prometheus, as .ci/run does)',
      );
    }
    context.skip('promtool is not on PATH: apt-get install prometheus (Debian, Ubuntu) or brew install prometheus');
  }
  return spawnSync('promtool', args, { cwd: options.cwd ?? DIR, encoding: 'utf8', input: options.input, timeout: 60_000 });
}

describe('deployment/prometheus, checked by promtool', () => {
  const temp = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  test('promtool check config: the configuration and the rule files it loads are valid', (context) => {
    // As the container sees it: the token file Compose provides is made here (empty, as without SERVICE_TOKEN).
    const tokenFile = join(temp, 'service-token');
    writeFileSync(tokenFile, '\n');
    writeFileSync(join(temp, 'prometheus.yml'), read('prometheus.yml').replaceAll('/run/secrets/service-token', tokenFile));
    for (const file of config.rule_files) writeFileSync(join(temp, file), read(file));
    const result = promtool(context, ['check', 'config', join(temp, 'prometheus.yml')]);
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.status, result.stderr + result.stdout).toBe(0);
  });

  test('promtool check rules: every rule parses', (context) => {
    const result = promtool(context, ['check', 'rules', 'alerts.yml']);
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  test('promtool test rules: each alert fires on made-up series, and stays quiet on the healthy ones', (context) => {
    const result = promtool(context, ['test', 'rules', 'alerts.test.yml']);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  test("promtool check metrics: the services' own series follow Prometheus's naming rules", async (context) => {
    let a: RunningService | undefined;
    try {
      a = await startServerA();
      await fetch(`${a.url}/ping`).then((r) => r.text());
      const text = await (await fetch(`${a.url}/metrics`)).text();
      const result = promtool(context, ['check', 'metrics'], { input: text });
      // prom-client's own nodejs_active_*_total gauges break the _total rule; ours must break none.
      const problems = (result.stdout + result.stderr)
        .split('\n')
        .filter((line) => line.trim() !== '' && !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(line));
      expect(problems).toEqual([]);
    } finally {
      await a?.close(0);
    }
  });
});

describe('deployment/prometheus, against the project', () => {
  test('every alert has a severity and says what to do (summary, description), and is proven to fire by a rule test', () => {
    expect(rules.length).toBeGreaterThanOrEqual(7);
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(80);
    }
    const firing = new Set(ruleTests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname)));
    expect(rules.map((r) => r.alert).filter((name) => !firing.has(name))).toEqual([]);
    expect(ruleTests.rule_files).toEqual(config.rule_files);
  });

  test('the alerts cover what needs a person: nondeterminism, schedule-to-start, a 5xx rate, a target down', () => {
    const exprOf = (name: string) => rules.find((r) => r.alert === name)?.expr ?? '';
    expect(exprOf('WorkflowNondeterminism')).toContain('temporal_workflow_task_execution_failed_total{failure_reason="NonDeterminismError"}');
    expect(exprOf('WorkflowTaskScheduleToStartHigh')).toContain('temporal_workflow_task_schedule_to_start_latency_bucket');
    expect(exprOf('ActivityScheduleToStartHigh')).toContain('temporal_activity_schedule_to_start_latency_bucket');
    expect(exprOf('ServiceErrorRateHigh')).toContain('http_requests_total{status=~"5.."');
    expect(exprOf('ServiceDown')).toMatch(/^up\{job=~"server-a\|server-b"\} == 0$/);
    expect(exprOf('WorkerDown')).toMatch(/^up\{job="temporal-worker"\} == 0$/);
  });

  test("scrapes the worker and both services on the host, at the project's default ports", () => {
    const targets = Object.fromEntries(config.scrape_configs.map((s) => [s.job_name, s.static_configs.flatMap((c) => c.targets)]));
    expect(targets).toEqual({
      'temporal-worker': [`host.docker.internal:${ENV_DEFAULTS.WORKER_METRICS_PORT}`],
      'server-a': [`host.docker.internal:${ENV_DEFAULTS.SERVER_A_PORT}`],
      'server-b': [`host.docker.internal:${ENV_DEFAULTS.SERVER_B_PORT}`],
    });
    expect(compose.services.prometheus?.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
  });

  test('sends the services the SERVICE_TOKEN that Compose puts in the container, and mounts this directory as its configuration', () => {
    const prometheus = compose.services.prometheus!;
    const token = prometheus.configs?.find((c) => c.source === 'service-token');
    expect(compose.configs?.['service-token']?.content).toBe('${SERVICE_TOKEN:-}\n');
    for (const job of config.scrape_configs) {
      const expected = job.job_name === 'temporal-worker' ? undefined : token?.target;
      expect({ job: job.job_name, file: job.authorization?.credentials_file }).toEqual({ job: job.job_name, file: expected });
    }
    expect(prometheus.volumes).toContain('./deployment/prometheus:/etc/prometheus:ro');
  });
});
