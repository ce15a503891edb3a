// Summarizes cfn-guard's structured JSON (validate --structured -o json) as one line per failed
// control: the Control Tower id, the rule, and the template resources it flags.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const findings = new Map();

function walk(node, visit) {
  if (Array.isArray(node)) node.forEach((child) => walk(child, visit));
  else if (node && typeof node === 'object') {
    visit(node);
    Object.values(node).forEach((child) => walk(child, visit));
  }
}

for (const file of results) {
  for (const { Rule: rule } of file.not_compliant ?? []) {
    const finding = findings.get(rule.name) ?? { controls: new Set(), resources: new Set() };
    walk(rule, (node) => {
      const control = /\[(CT\.[A-Z0-9.]+)\]/.exec(node.custom_message ?? '');
      if (control) finding.controls.add(control[1]);
      const resource = /^\/Resources\/([^/]+)/.exec(typeof node.path === 'string' ? node.path : '');
      if (resource) finding.resources.add(resource[1]);
    });
    findings.set(rule.name, finding);
  }
}

if (findings.size === 0) {
  console.log('No findings.');
} else {
  console.log(`${findings.size} controls report findings (README.md, "Policy check", explains each):`);
  for (const [rule, { controls, resources }] of [...findings].sort()) {
    console.log(`  ${[...controls].join(',') || '?'} ${rule}: ${[...resources].sort().join(' ') || '(template)'}`);
  }
}
