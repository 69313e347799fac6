// Worker thread for the hostile tests: audits one input at a time with the compiled library, so the test can time it
// out (terminate) and see a stack overflow or a memory blow-up as a result instead of a hung or dead test run.

import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

const { auditSource } = await import(pathToFileURL(`${workerData.distDir}/audit/index.js`).href);
const { SourceFile } = await import(pathToFileURL(`${workerData.distDir}/model/source.js`).href);

// Prototype pollution shows as a new key on Object.prototype or a replaced member.
const prototypeSnapshot = () => Object.getOwnPropertyNames(Object.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(Object.prototype, key)]);
const cleanPrototype = prototypeSnapshot();
const prototypeChanged = () => {
  const now = prototypeSnapshot();
  return (
    now.length !== cleanPrototype.length ||
    now.some(([key, d], i) => {
      const [cleanKey, clean] = cleanPrototype[i];
      return key !== cleanKey || d.value !== clean.value || d.get !== clean.get || d.set !== clean.set;
    })
  );
};

function lineLengths(text) {
  // Raw lengths (with a trailing CR, without the LF), indexed by 1-based line.
  const lengths = [0];
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
    lengths.push(i - start);
    start = i + 1;
  }
  lengths.push(text.length - start);
  return lengths;
}

parentPort.on("message", ({ id, path, bytes, format }) => {
  // The CLI reads files as UTF-8 the same way: invalid sequences become U+FFFD, a BOM stays a character.
  const text = Buffer.from(bytes).toString("utf8");
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let report;
  let error;
  try {
    report = auditSource(new SourceFile(path, text), format ? { inputFormat: format } : {});
  } catch (thrown) {
    error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}`.slice(0, 500) : String(thrown).slice(0, 500);
  }
  const ms = performance.now() - started;
  // Process CPU time: the other thread idles meanwhile, so this is the audit's (plus GC helpers'), whatever the load.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const lengths = report && report.findings.length > 0 ? lineLengths(text) : [0];
  const findings = (report?.findings ?? []).slice(0, 200).map((finding) => ({
    ruleId: finding.ruleId,
    messageHead: String(finding.message).slice(0, 200),
    messageLength: String(finding.message).length,
    location: finding.location,
    startLineLength: lengths[finding.location.startLine] ?? -1,
    endLineLength: lengths[finding.location.endLine] ?? -1,
  }));
  const lineCount = lengths.length > 1 ? lengths.length - 1 : text.split("\n").length;
  parentPort.postMessage({
    id,
    ms,
    cpuMs,
    error,
    format: report?.format,
    findingCount: report?.findings.length ?? 0,
    findings,
    lineCount,
    prototypeChanged: prototypeChanged(),
  });
});

parentPort.postMessage({ ready: true });
