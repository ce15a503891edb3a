// cdk-nag's AwsSolutions and HIPAA.Security packs over the synthesized HealthFlow template.
// The app is C# and cdk-nag's .NET binding is not available, so the template is loaded back as L1
// resources with CfnInclude. Every finding is matched against acknowledgments.json (rule, logical id,
// reason); any error left unacknowledged fails the check (exit 1).
// Usage: node check.mjs <template.json> [acknowledgments.json]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Stack } from "aws-cdk-lib";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { AwsSolutionsChecks, HIPAASecurityChecks } from "cdk-nag";

const here = dirname(fileURLToPath(import.meta.url));
const [templatePath, acknowledgmentsPath = join(here, "acknowledgments.json")] = process.argv.slice(2);
if (!templatePath) {
  console.error("Usage: node check.mjs <template.json> [acknowledgments.json]");
  process.exit(2);
}

const app = new App();
const stack = new Stack(app, "HealthFlow");
new CfnInclude(stack, "Template", { templateFile: templatePath });

const packs = [new AwsSolutionsChecks(), new HIPAASecurityChecks()];
const acknowledgments = loadAcknowledgments(acknowledgmentsPath);

// One finding per rule (with its finding id, e.g. AwsSolutions-IAM5[Action::s3:*]) and resource.
const findings = packs.flatMap(pack =>
  pack.validateScope(stack).violations.flatMap(violation =>
    violation.violatingResources.map(resource => ({
      pack: pack.readPackName,
      rule: violation.ruleName,
      severity: violation.severity,
      description: violation.description,
      logicalId: resource.constructPath.split("/").at(-1),
    }))));

for (const finding of findings) {
  finding.acknowledgment = acknowledgments.find(a => a.matches(finding));
  if (finding.acknowledgment) {
    finding.acknowledgment.used += 1;
  }
}

const errors = findings.filter(f => f.severity === "error");
const open = errors.filter(f => !f.acknowledgment);
const warnings = findings.filter(f => f.severity !== "error");

console.log(`cdk-nag ${packs.map(p => p.readPackName).join(" + ")} over ${templatePath}`);
console.log();
console.log("Errors per pack and rule: found, then left after acknowledgments");
printCounts(errors);
console.log();
console.log(`Errors: ${errors.length} found, ${errors.length - open.length} acknowledged, ${open.length} unacknowledged.`);
console.log(`Warnings (reported, never fatal): ${warnings.length}, of which ${warnings.filter(w => w.acknowledgment).length} acknowledged.`);
printCounts(warnings);

const unused = acknowledgments.filter(a => a.used === 0);
if (unused.length > 0) {
  console.log();
  console.log(`Acknowledgments that matched nothing in this template (${unused.length}; some apply only with an operator option such as a certificate). Remove those whose finding is gone for good:`);
  for (const a of unused) {
    console.log(`  ${a.rule} on ${a.resource}`);
  }
}

if (open.length > 0) {
  console.log();
  console.log("Unacknowledged errors (fix the stack, or add a reviewed entry to acknowledgments.json):");
  for (const f of open) {
    console.log(`  ${f.rule} on ${f.logicalId}: ${f.description}`);
  }
  console.log();
  console.log("cdk-nag check FAILED.");
  process.exit(1);
}

console.log();
console.log("cdk-nag check passed: 0 unacknowledged errors.");

function printCounts(list) {
  const counts = new Map();
  for (const f of list) {
    const key = `${f.pack}\t${baseRule(f.rule)}`;
    const count = counts.get(key) ?? { found: 0, open: 0 };
    count.found += 1;
    count.open += f.acknowledgment ? 0 : 1;
    counts.set(key, count);
  }

  for (const [key, { found, open }] of [...counts].sort()) {
    const [pack, rule] = key.split("\t");
    console.log(`  ${pack.padEnd(16)} ${rule.padEnd(48)} ${String(found).padStart(3)} ${String(open).padStart(3)}`);
  }
}

// AwsSolutions-IAM5[Resource::...] counts as AwsSolutions-IAM5.
function baseRule(rule) {
  return rule.replace(/\[.*\]$/s, "");
}

// Each entry: { "rule": "...", "resource": "...", "reason": "..." }. `rule` is the rule id, with the
// finding in brackets where the pack reports one; `resource` is a logical id. Both may use `*` as a
// wildcard, e.g. "HealthFlow*TaskDefinition*" or "AwsSolutions-IAM5[Resource::*/index/*]".
function loadAcknowledgments(path) {
  const entries = JSON.parse(readFileSync(path, "utf8")).acknowledgments;
  const problems = [];
  const parsed = entries.map((entry, i) => {
    for (const field of ["rule", "resource", "reason"]) {
      if (typeof entry[field] !== "string" || entry[field].trim().length === 0) {
        problems.push(`entry ${i}: "${field}" is missing or empty`);
      }
    }

    if (typeof entry.reason === "string" && entry.reason.trim().split(/\s+/).length < 8) {
      problems.push(`entry ${i} (${entry.rule} on ${entry.resource}): the reason must be a sentence a reviewer can accept`);
    }

    const rule = glob(entry.rule ?? "");
    const resource = glob(entry.resource ?? "");
    return { ...entry, used: 0, matches: f => rule.test(f.rule) && resource.test(f.logicalId) };
  });

  if (problems.length > 0) {
    console.error(`Invalid ${path}:\n  ${problems.join("\n  ")}`);
    process.exit(2);
  }

  return parsed;
}

function glob(pattern) {
  const escaped = pattern.split("*").map(part => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${escaped}$`, "s");
}
