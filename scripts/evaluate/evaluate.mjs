#!/usr/bin/env node
// Evaluates `lameduck lint` on public repositories nobody here wrote (issue #15): each run of
// scripts/evaluate/repos.json is extracted at its pinned commit from a local git mirror, linted with
// the built CLI, and its findings are joined to the hand-made verdicts in
// docs/evaluation/verdicts.tsv. Prints per-rule precision (error and warning findings), recall
// against docs/evaluation/expected.tsv (real problems found by reading the files), crashes, input
// errors, and whether each finding's line lands in the object it names.
//
//   node scripts/evaluate/evaluate.mjs [--mirror DIR] [--only SUBSTRING] [--unjudged] [--keep] [--write]
//
//   --mirror DIR   where the mirrors are: DIR/<owner>+<name>/repo, a bare git directory or a clone
//                  (default $LAMEDUCK_EVAL_MIRROR, else /work/.mirror)
//   --only S       only the runs whose id contains S
//   --unjudged     print only the findings with no verdict, as verdicts.tsv rows to fill in
//   --keep         keep the extracted checkouts (their directory is printed)
//   --write        also put the report into docs/evaluation.md and the per-rule table into
//                  README.md, each between its <!-- evaluate:... --> markers (whole runs only)
//   --runs FILE, --verdicts FILE, --expected FILE
//                  other tables than scripts/evaluate/repos.json and docs/evaluation/*.tsv
//
// Needs the CLI built (npm run build), kubectl for kustomize directories, and helm (on PATH or in
// the cache scripts/tools/build.sh fills) for the Helm charts lint renders. Not part of npm test: it needs the
// mirrors, which are not in this repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, lineLands, objectKey, objectMatches } from './match.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const RUNS = join(ROOT, 'scripts', 'evaluate', 'repos.json');
const VERDICTS = join(ROOT, 'docs', 'evaluation', 'verdicts.tsv');
const EXPECTED = join(ROOT, 'docs', 'evaluation', 'expected.tsv');
const VERDICT_VALUES = new Set(['real', 'false', 'debatable']);
const JUDGED_SEVERITIES = new Set(['error', 'warning']);
function parseArguments(argv) {
  const options = {
    mirror: process.env.LAMEDUCK_EVAL_MIRROR ?? '/work/.mirror',
    only: '',
    unjudged: false,
    runs: RUNS,
    verdicts: VERDICTS,
    expected: EXPECTED,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--mirror') options.mirror = argv[++index];
    else if (argument === '--only') options.only = argv[++index];
    else if (argument === '--unjudged') options.unjudged = true;
    else if (argument === '--keep') options.keep = true;
    else if (argument === '--write') options.write = true;
    else if (argument === '--runs') options.runs = resolve(argv[++index]);
    else if (argument === '--verdicts') options.verdicts = resolve(argv[++index]);
    else if (argument === '--expected') options.expected = resolve(argv[++index]);
    else {
      console.error(`evaluate: unknown argument ${argument}; see the comment at the top of this script`);
      process.exit(2);
    }
  }
  return options;
}

/** Rows of a TSV file with a header line; '#' lines are comments. Each row knows its file:line. */
function readTsv(path) {
  if (!existsSync(path)) return [];
  const numbered = readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '' && !line.startsWith('#'));
  if (numbered.length === 0) return [];
  const columns = numbered[0].line.split('\t');
  return numbered.slice(1).map(({ line, number }) => {
    const cells = line.split('\t');
    const row = Object.fromEntries(columns.map((column, at) => [column, cells[at] ?? '']));
    row.at = `${relative(process.cwd(), path)}:${number}`;
    return row;
  });
}

function mirrorOf(mirrorRoot, repo) {
  const directory = join(mirrorRoot, repo.replace('/', '+'), 'repo');
  // A bare mirror is the directory itself; a clone keeps its git directory in .git.
  if (existsSync(join(directory, '.git'))) return join(directory, '.git');
  if (!existsSync(directory)) {
    console.error(
      `evaluate: no mirror of ${repo} at ${directory}; get one with: git clone --mirror https://github.com/${repo} ${directory} (or, in a session, the fetch tool with github:${repo})`,
    );
    return undefined;
  }
  return directory;
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
}

/** Extracts the run's paths at its commit; only those paths, since mirrors lack files of 4 MiB and more. */
/** `paths` of a mirror at `commit`, unpacked under `into` (each path's leading `strip` parts dropped). */
function unpack(mirror, commit, paths, into, strip = 0) {
  const archive = run('git', ['--git-dir', mirror, 'archive', '--format=tar', commit, ...paths], {
    encoding: 'buffer',
  });
  if (archive.status !== 0) return `git archive failed: ${archive.stderr.toString().trim().split('\n')[0]}`;
  mkdirSync(into, { recursive: true });
  const untar = run('tar', ['-x', '-C', into, `--strip-components=${strip}`], { input: archive.stdout });
  return untar.status === 0 ? undefined : `tar failed: ${untar.stderr.trim()}`;
}

/**
 * The run's paths at its commit; then `vendor`: dependency charts put where `helm dependency build`
 * would, each from `path` of the same repository or `owner/name@commit:path` of another.
 */
function extract(mirror, entry, into, mirrorRoot) {
  const failed = unpack(mirror, entry.commit, entry.extract, into);
  if (failed) return failed;
  for (const [source, destination] of Object.entries(entry.vendor ?? {})) {
    const other = /^([^@]+)@([0-9a-f]{7,40}):(.+)$/.exec(source);
    const from = other ? mirrorOf(mirrorRoot, other[1]) : mirror;
    if (!from) return `no mirror of ${other?.[1]} for vendor ${source}`;
    const path = other ? other[3] : source;
    const vendored = unpack(
      from,
      other ? other[2] : entry.commit,
      [path],
      join(into, destination),
      path.split('/').length,
    );
    if (vendored) return `vendor ${source}: ${vendored}`;
  }
  return undefined;
}

/**
 * A chart whose dependencies are other projects' charts, which `helm dependency build` would
 * download: rendered without them, as lameduck fetches nothing.
 */
function dropDependencies(chart) {
  // A v1 chart lists its dependencies in requirements.yaml.
  for (const file of ['Chart.lock', 'requirements.lock', 'requirements.yaml'])
    rmSync(join(chart, file), { force: true });
  const metadata = join(chart, 'Chart.yaml');
  writeFileSync(metadata, readFileSync(metadata, 'utf8').replace(/\ndependencies:[\s\S]*?(?=\n\S|$)/, ''));
}

/** The text a finding's file names, to check its line: a file, or a kustomize render. */
function textOf(file, checkout) {
  const rendered = /^(.*) \(kubectl kustomize\)$/.exec(file);
  if (rendered) return run('kubectl', ['kustomize', join(checkout, rendered[1])]).stdout;
  const path = join(checkout, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function lint(entry, checkout) {
  if (entry.dropDependencies) dropDependencies(join(checkout, entry.dropDependencies));
  const started = Date.now();
  const result = run(process.execPath, [CLI, 'lint', ...entry.lint, '--format', 'json', ...entry.flags], {
    cwd: checkout,
  });
  const seconds = (Date.now() - started) / 1000;
  const stderr = result.stderr.trim();
  const crashed = ![0, 1, 2].includes(result.status) || /\n\s+at |this is a bug/i.test(stderr);
  let findings = [];
  try {
    findings = JSON.parse(result.stdout).findings;
  } catch {
    return { crashed: true, status: result.status, stderr, seconds, findings };
  }
  return { crashed, status: result.status, stderr, seconds, findings };
}

/** Which set a run belongs to: `tuned` (the repositories lint was changed for), or as repos.json says. */
const setOf = (entry) => entry.set ?? 'tuned';
const percent = (part, whole) => (whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`);

function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!existsSync(CLI)) {
    console.error(`evaluate: ${CLI} is missing; run npm run build first`);
    process.exit(2);
  }
  const { runs } = JSON.parse(readFileSync(options.runs, 'utf8'));
  const verdicts = readTsv(options.verdicts);
  const expected = readTsv(options.expected);
  for (const verdict of verdicts) {
    if (!VERDICT_VALUES.has(verdict.verdict)) {
      console.error(`evaluate: ${verdict.at}: verdict "${verdict.verdict}" is not real, false or debatable`);
      process.exit(2);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'lameduck-evaluate-'));
  const selected = runs.filter((entry) => entry.id.includes(options.only));
  const all = [];
  const runReports = [];
  const unjudged = [];
  const wrongLines = [];
  let linesChecked = 0;
  let frontLines = 0;
  let includeLines = 0;
  let partLines = 0;
  try {
    for (const entry of selected) {
      const mirror = mirrorOf(options.mirror, entry.repo);
      if (!mirror) {
        runReports.push({ entry, skipped: 'no mirror' });
        continue;
      }
      // Named as a clone would be: lint links an image to a Dockerfile by directory name, and a
      // Dockerfile at the root is named by the repository's directory.
      const checkout = join(work, entry.id.replace(/\//g, '+'), entry.repo.split('/')[1]);
      mkdirSync(checkout, { recursive: true });
      const failed = extract(mirror, entry, checkout, options.mirror);
      if (failed) {
        runReports.push({ entry, skipped: failed });
        continue;
      }
      const result = lint(entry, checkout);
      runReports.push({ entry, ...result });
      const texts = new Map();
      for (const finding of result.findings ?? []) {
        if (!texts.has(finding.file)) texts.set(finding.file, textOf(finding.file, checkout));
        const landing = lineLands(finding, texts.get(finding.file));
        linesChecked += 1;
        if (!landing.ok) wrongLines.push({ run: entry.id, finding, why: landing.why });
        if (landing.front) frontLines += 1;
        if (landing.via === 'include') includeLines += 1;
        if (landing.via === 'part') partLines += 1;
        const verdict = JUDGED_SEVERITIES.has(finding.severity)
          ? judge(finding, entry.id, verdicts)
          : undefined;
        all.push({ run: entry.id, finding, verdict });
        if (JUDGED_SEVERITIES.has(finding.severity) && !verdict) unjudged.push({ run: entry.id, finding });
      }
    }
  } finally {
    if (options.keep) console.log(`checkouts kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  if (options.unjudged) {
    // A skipped run has no findings to judge; say so where the rows go, not only in the full report.
    for (const { entry, skipped } of runReports)
      if (skipped) console.error(`evaluate: run ${entry.id} skipped: ${skipped}`);
    console.log(['run', 'file', 'line', 'rule', 'severity', 'object', 'verdict', 'reason'].join('\t'));
    for (const { run: runId, finding } of unjudged) {
      const row = [
        runId,
        finding.file,
        finding.line,
        finding.rule,
        finding.severity,
        objectKey(finding.object),
      ];
      console.log([...row, '', finding.message.slice(0, 160)].join('\t'));
    }
    return;
  }

  const out = [];
  const say = (line) => out.push(line);
  say('### Runs\n');
  say('| run | commit | exit | seconds | error | warning | info | input errors | crash |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const report of runReports) {
    const { entry } = report;
    if (report.skipped) {
      say(`| ${entry.id} | ${entry.commit.slice(0, 12)} | skipped: ${report.skipped} |||||||`);
      continue;
    }
    const count = (severity) => report.findings.filter((finding) => finding.severity === severity).length;
    const inputErrors = report.stderr
      .split('\n')
      .filter((line) => line.startsWith('lameduck lint:') && !line.startsWith('lameduck lint: note:')).length;
    say(
      `| ${entry.id} | ${entry.commit.slice(0, 12)} | ${report.status} | ${report.seconds.toFixed(1)} | ${count('error')} | ${count('warning')} | ${count('info')} | ${inputErrors} | ${report.crashed ? 'CRASH' : 'no'} |`,
    );
  }
  for (const report of runReports.filter((r) => r.stderr)) {
    say(`\n${report.entry.id} said:\n${report.stderr}`);
  }

  const judged = all.filter(({ finding }) => JUDGED_SEVERITIES.has(finding.severity));
  const rules = [
    ...new Set([...judged.map(({ finding }) => finding.rule), ...expected.map((row) => row.rule)]),
  ].sort();
  const missed = expected.filter(
    (row) =>
      selected.some((entry) => entry.id === row.run) &&
      !all.some(
        ({ run: runId, finding }) =>
          runId === row.run &&
          finding.rule === row.rule &&
          objectMatches(row.object, objectKey(finding.object)),
      ),
  );
  say('\n### Precision and recall (error and warning findings)\n');
  for (const line of ruleTable(ruleRows(rules, judged, missed))) say(line);

  // The same object is often linted several times (overlays of one base, an install and its HA
  // variant, a chart and the manifests it was made from): counted once per repository here.
  const once = new Map();
  for (const item of judged) {
    const { kind, name, container } = item.finding.object;
    const repo = selected.find((entry) => entry.id === item.run).repo;
    const key = [repo, item.finding.rule, kind, name, container ?? ''].join('|');
    if (!once.has(key)) once.set(key, item);
  }
  say('\n### The same, each object once per repository\n');
  const perObject = ruleRows(rules, [...once.values()], missed);
  for (const line of ruleTable(perObject)) say(line);
  const sets = [...new Set(selected.map(setOf))];
  if (sets.length > 1) {
    say('\nBy set (`set` in repos.json), each object once per repository:\n');
    say('| set | runs | findings | real | false | debatable | precision | precision, debatable left out |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const set of sets) {
      const runIds = new Set(selected.filter((entry) => setOf(entry) === set).map((entry) => entry.id));
      const row = ruleRows([], [], []).at(-1);
      for (const { run: runId, verdict } of once.values()) {
        if (!runIds.has(runId)) continue;
        row.findings += 1;
        if (verdict) row[verdict.verdict] += 1;
      }
      const decided = row.real + row.false + row.debatable;
      say(
        `| ${set} | ${runIds.size} | ${row.findings} | ${row.real} | ${row.false} | ${row.debatable} | ${percent(row.real, decided)} | ${percent(row.real, row.real + row.false)} |`,
      );
    }
  }

  say('\n### Causes of false and debatable verdicts (the [tag] of their reason)\n');
  const causes = new Map();
  for (const { finding, verdict } of judged) {
    if (!verdict || verdict.verdict === 'real') continue;
    const cause = /^\[([\w-]+)\]/.exec(verdict.reason)?.[1] ?? 'other';
    const key = `${cause} | ${verdict.verdict}`;
    const entry = causes.get(key) ?? { count: 0, rules: new Set() };
    entry.count += 1;
    entry.rules.add(finding.rule);
    causes.set(key, entry);
  }
  say('| cause | verdict | findings | rules |');
  say('| --- | --- | --- | --- |');
  for (const [key, entry] of [...causes].sort((a, b) => b[1].count - a[1].count)) {
    say(`| ${key} | ${entry.count} | ${[...entry.rules].sort().join(', ')} |`);
  }

  say('\n### Findings judged false or debatable\n');
  for (const { run, finding, verdict } of judged) {
    if (!verdict || verdict.verdict === 'real') continue;
    say(`- ${run} ${finding.file}:${finding.line} ${finding.rule} (${verdict.verdict}): ${verdict.reason}`);
  }

  say(
    `\n### Lines\n\n${linesChecked - wrongLines.length} of ${linesChecked} findings land in the object they name.`,
  );
  const rendered = all.filter(({ finding }) => / \(kubectl kustomize\)$/.test(finding.file)).length;
  say(
    `${frontLines} of them point, by design, at the object in front of the workload (Ingress, Service, Namespace) or at the autoscaler that sets its replica count.`,
  );
  say(
    `${includeLines} of them point at the line of a Helm template that includes the helper rendering the object.`,
  );
  say(
    `${partLines} of them point into the file that writes that part of the object (a Helm helper's pod, a container a patch appends).`,
  );
  say(`${rendered} of them point at kustomize output, not at a file a user edits.`);
  for (const { run: runId, finding, why } of wrongLines) {
    say(`- ${runId} ${finding.file}:${finding.line} ${finding.rule} ${objectKey(finding.object)}: ${why}`);
  }
  if (missed.length > 0) {
    say('\n### Missed (expected.tsv rows no finding matches)\n');
    for (const row of missed)
      say(`- ${row.run} ${row.file}:${row.line} ${row.rule} ${row.object}: ${row.reason}`);
  }
  const byObject = all.filter(({ verdict }) => verdict?.byObject).length;
  if (byObject > 0) {
    say(
      `\n${byObject} findings took the verdict of the same object in another file (their file changed since the verdict).`,
    );
  }
  if (unjudged.length > 0) {
    say(
      `\n### Unjudged\n\n${unjudged.length} error and warning findings have no verdict; list them with --unjudged.`,
    );
  }
  console.log(out.join('\n'));
  if (options.write) {
    if (options.only) {
      console.error('evaluate: --write needs every run; drop --only');
      process.exit(2);
    }
    writeBetweenMarkers(join(ROOT, 'docs', 'evaluation.md'), 'report', out);
    writeBetweenMarkers(join(ROOT, 'README.md'), 'readme', readmeTable(perObject));
  }
}

/** Per-rule tallies of judged findings, and their total last. */
function ruleRows(rules, judged, missed) {
  const totals = { rule: '**all**', findings: 0, real: 0, false: 0, debatable: 0, unjudged: 0, missed: 0 };
  const rows = rules.map((rule) => {
    const mine = judged.filter(({ finding }) => finding.rule === rule);
    const tally = (value) => mine.filter(({ verdict }) => verdict?.verdict === value).length;
    return {
      rule,
      findings: mine.length,
      real: tally('real'),
      false: tally('false'),
      debatable: tally('debatable'),
      unjudged: mine.filter(({ verdict }) => !verdict).length,
      missed: missed.filter((item) => item.rule === rule).length,
    };
  });
  for (const row of rows) for (const key of Object.keys(totals)) if (key !== 'rule') totals[key] += row[key];
  return [...rows, totals];
}

function ruleTable(rows) {
  return [
    '| rule | findings | real | false | debatable | unjudged | precision | precision, debatable left out | missed | recall |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(rowLine),
  ];
}

/** The README's short form of the per-object table. */
function readmeTable(rows) {
  return [
    '| rule | findings | real | precision | debatable left out | recall |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const decided = row.real + row.false + row.debatable;
      return `| ${row.rule} | ${row.findings} | ${row.real} | ${percent(row.real, decided)} | ${percent(row.real, row.real + row.false)} | ${percent(row.real, row.real + row.missed)} |`;
    }),
  ];
}

/** Replaces what stands between `<!-- evaluate:NAME -->` and `<!-- /evaluate:NAME -->` in a file. */
function writeBetweenMarkers(file, name, lines) {
  const text = readFileSync(file, 'utf8');
  const open = `<!-- evaluate:${name} -->`;
  const close = `<!-- /evaluate:${name} -->`;
  const from = text.indexOf(open);
  const to = text.indexOf(close);
  if (from < 0 || to < from) {
    console.error(
      `evaluate: ${relative(ROOT, file)} has no ${open} ... ${close} markers; add them where the report goes`,
    );
    process.exit(2);
  }
  writeFileSync(file, `${text.slice(0, from + open.length)}\n${lines.join('\n')}\n${text.slice(to)}`);
}

function rowLine(row) {
  const decided = row.real + row.false + row.debatable;
  return `| ${row.rule} | ${row.findings} | ${row.real} | ${row.false} | ${row.debatable} | ${row.unjudged} | ${percent(row.real, decided)} | ${percent(row.real, row.real + row.false)} | ${row.missed} | ${percent(row.real, row.real + row.missed)} |`;
}

main();
