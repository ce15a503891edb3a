#!/usr/bin/env bash
# Policy check of the synthesized HealthFlow template with cfn-guard (shipped by the npm package
# @cdklabs/cdk-validator-cfnguard, installed by `npm ci` in infra/HealthFlow.Cdk).
#   1. HealthFlow's own rules (guard/rules/*.guard): MUST pass; a failure exits 1.
#   2. The AWS Control Tower proactive controls bundled with the package: findings are reported
#      (accepted ones are explained in infra/HealthFlow.Cdk/README.md) and never fail the run.
# Usage: bash guard/run.sh [template.json]   (without a template, synthesizes one offline with `npx cdk synth`,
#   for AWS_REGION, else us-east-1: the template names its region since the ALB's access logs need it)
set -euo pipefail

guard_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_dir="$(dirname "$guard_dir")"
package="$app_dir/node_modules/@cdklabs/cdk-validator-cfnguard"
if [[ ! -d "$package" ]]; then
  echo "cfn-guard is missing: run 'npm ci' in $app_dir first." >&2
  exit 2
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) platform=ubuntu/x86_64 ;;
  Linux/aarch64 | Linux/arm64) platform=ubuntu/aarch64 ;;
  Darwin/x86_64) platform=macos/x86_64 ;;
  Darwin/arm64) platform=macos/aarch64 ;;
  *) echo "No cfn-guard binary for $(uname -s)/$(uname -m)." >&2; exit 2 ;;
esac
cfn_guard="$package/bin/$platform/cfn-guard"
control_tower_rules="$package/rules/control-tower/cfn-guard"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

template="${1:-}"
if [[ -z "$template" ]]; then
  echo "Synthesizing the stack (offline)..."
  start=$SECONDS
  # jsii unpacks ~66 MB into TMPDIR per process; keep it in the folder this script deletes.
  (cd "$app_dir" && TMPDIR="$work" JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 \
    npx cdk synth --quiet --no-notices --output "$work/cdk.out" \
      -c "healthflow:region=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}" \
      -c "healthflow:certificateArn=arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000" >"$work/synth.log" 2>&1) || { cat "$work/synth.log" >&2; exit 2; }
  echo "Synthesized in $((SECONDS - start)) s."
  template="$work/cdk.out/HealthFlow.template.json"
fi

echo
echo "== HealthFlow rules (must pass): $guard_dir/rules"
project_status=0
"$cfn_guard" validate --data "$template" --rules "$guard_dir/rules" --show-summary all || project_status=$?

echo
echo "== AWS Control Tower proactive controls (reported, not enforced)"
"$cfn_guard" validate --data "$template" --rules "$control_tower_rules" --structured --output-format json \
  --show-summary none >"$work/control-tower.json" 2>"$work/control-tower.err" || true
if [[ -s "$work/control-tower.json" ]]; then
  node "$guard_dir/control-tower-report.mjs" "$work/control-tower.json"
else
  echo "cfn-guard produced no report:" && cat "$work/control-tower.err"
fi

echo
if [[ $project_status -ne 0 ]]; then
  echo "HealthFlow policy rules FAILED (cfn-guard exit $project_status)."
  exit 1
fi
echo "HealthFlow policy rules passed."
