#!/usr/bin/env bash
# Checks deploy/nginx/hailong.conf for real: renders it for loopback (a self-signed certificate made here, ports and
# paths under a temporary prefix), runs `nginx -t` on it, then starts nginx in front of a running
# `hailong serve --demo` and sends requests through it:
#   - the kiosk page and app.js (HSTS on the answer, the second app.js from nginx's cache), pairing the demo kiosk
#     and one kiosk rating (201),
#   - the web survey page (gzip), the sign-in page, an oversized rating body (413 from nginx),
#   - plain HTTP (301 to HTTPS) and /metrics from loopback.
#
#   deploy/test-nginx.sh [path/to/hailong]      (default: $HAILONG_BIN, else .build/debug/hailong)
#
# Needs nginx (apt-get install nginx-light or nginx), openssl, curl and python3; PostgreSQL's server binaries for the
# demo's embedded cluster. As root the cluster runs as the `postgres` user (the binary does that itself).
# Exits non-zero on the first failed check; prints one PASS line per check.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="$(readlink -f "${1:-${HAILONG_BIN:-.build/debug/hailong}}")"
[[ -x "$BIN" ]] || { echo "error: no hailong binary at $BIN (swift build --product hailong)" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || { echo "error: nginx not found (apt-get install nginx-light)" >&2; exit 1; }

# Free ports, chosen by the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT="$(free_port)"
TLS_PORT="$(free_port)"
HTTP_PORT="$(free_port)"
HOST=hailong.test

WORK="$(mktemp -d /tmp/hailong-nginx.XXXXXX)"
chmod 0755 "$WORK"
HAILONG_PID=""
cleanup() {
    local rc=$?
    [[ -f "$WORK/nginx.pid" ]] && "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
    if [[ -n "$HAILONG_PID" ]] && kill -0 "$HAILONG_PID" 2>/dev/null; then
        kill -TERM "$HAILONG_PID"
        wait "$HAILONG_PID" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 ]]; then
        echo "--- nginx error log"; tail -n 20 "$WORK/error.log" 2>/dev/null || true
        echo "--- hailong log"; tail -n 20 "$WORK/hailong.log" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*" >&2; exit 1; }

# 1. A self-signed certificate for the test host.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
    -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null

# 2. The site file, moved onto loopback and into the prefix; nothing else changed.
mkdir -p "$WORK/cache" "$WORK/acme" "$WORK/tmp"
sed -e "s|127.0.0.1:8080|127.0.0.1:$APP_PORT|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' \
    -e "s|server_name hailong.example.gov.vn;|server_name $HOST;|" \
    -e "s|/etc/ssl/hailong/|$WORK/|" \
    -e "s|/var/cache/nginx/hailong|$WORK/cache|" \
    -e "s|/var/www/acme|$WORK/acme|" \
    deploy/nginx/hailong.conf >"$WORK/hailong.conf"
grep -q "127.0.0.1:$TLS_PORT ssl" "$WORK/hailong.conf" || fail "the site file's listen line was not rendered"
user_line=""
[[ "$(id -u)" -eq 0 ]] && user_line="user root;"   # workers as root only in this throwaway test: the prefix is root's
cat >"$WORK/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $WORK/access.log;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    include $WORK/hailong.conf;
}
EOF
"$NGINX" -t -p "$WORK" -c "$WORK/nginx.conf" 2>"$WORK/nginx-t.log" || { cat "$WORK/nginx-t.log" >&2; fail "nginx -t"; }
pass "nginx -t accepts deploy/nginx/hailong.conf ($("$NGINX" -v 2>&1 | sed 's/.*: //'))"

# 3. The service with the demo province, behind nginx.
HAILONG_DATA_DIR="$WORK/data" HAILONG_PORT="$APP_PORT" HAILONG_TRUSTED_PROXIES=127.0.0.1 LOG_LEVEL=info LOG_FORMAT=json \
    "$BIN" serve --demo >"$WORK/demo.txt" 2>"$WORK/hailong.log" &
HAILONG_PID=$!
for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$APP_PORT/readyz" 2>/dev/null && break
    kill -0 "$HAILONG_PID" 2>/dev/null || fail "hailong serve --demo exited (see its log above)"
    sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$APP_PORT/readyz" || fail "hailong serve --demo not ready in 300 s"
PAIRING="$(grep -o 'enter the pairing code [0-9]*' "$WORK/demo.txt" | grep -o '[0-9]*$')"
[[ -n "$PAIRING" ]] || fail "no pairing code in the demo's output"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf"

BASE="https://$HOST:$TLS_PORT"
CURL=(curl -sS --cacert "$WORK/fullchain.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1" --max-time 20)
# status and headers of a request: request PATH [curl options]
request() { local path=$1; shift; "${CURL[@]}" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$BASE$path"; }
header() { grep -i "^$1:" "$WORK/headers" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }

status="$(request /kiosk)"
[[ "$status" == 200 ]] || fail "GET /kiosk through nginx: $status"
[[ "$(header Strict-Transport-Security)" == "max-age=31536000; includeSubDomains" ]] || fail "no HSTS on /kiosk"
pass "GET /kiosk: 200 over TLS with HSTS"

request /kiosk/app.js >/dev/null
status="$(request /kiosk/app.js)"
[[ "$status" == 200 && "$(header X-Cache-Status)" == HIT ]] || fail "second /kiosk/app.js not from nginx's cache ($status, $(header X-Cache-Status))"
etag="$(header ETag)"
status="$(request /kiosk/app.js -H "If-None-Match: $etag")"
[[ "$status" == 304 ]] || fail "revalidating /kiosk/app.js: $status, not 304"
pass "/kiosk/app.js: second load a cache HIT, revalidation 304 (Cache-Control: $(header Cache-Control))"

status="$(request /api/v1/kiosk/pair -H 'Content-Type: application/json' -d "{\"code\":\"$PAIRING\"}")"
[[ "$status" == 200 || "$status" == 201 ]] || fail "pairing the demo kiosk through nginx: $status $(cat "$WORK/body")"
KIOSK="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/body")"
rating="{\"questionnaire\":\"kiosk-3\",\"answers\":{\"overall\":3},\"submitted_at\":\"$(date -Iseconds)\"}"
status="$(request /api/v1/responses -H "Authorization: Bearer $KIOSK" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')" -d "$rating")"
[[ "$status" == 201 ]] || fail "kiosk rating through nginx: $status $(cat "$WORK/body")"
pass "kiosk pairing and one rating through nginx: 201 $(cat "$WORK/body")"
# LOG_FORMAT=json: every line the service wrote is one JSON object; the pairing's line carries its request id.
python3 - "$WORK/hailong.log" <<'PY' || fail "the service's JSON log"
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
paired = [line for line in lines if line["message"] == "kiosk paired"]
assert paired and paired[0].get("request_id"), f"no 'kiosk paired' line with a request_id in {len(lines)} lines"
proxy = paired[0].get("metadata", {}).get("proxy_request_id", "")
assert len(proxy) == 32, f"nginx's X-Request-Id is not in the line: {paired[0]}"
print(f"PASS  LOG_FORMAT=json: {len(lines)} log lines, each one JSON object; 'kiosk paired' has request_id "
      f"{paired[0]['request_id']} and nginx's proxy_request_id {proxy}")
PY

status="$(request /s/DEMO.STP -H 'Accept-Encoding: gzip')"
[[ "$status" == 200 ]] || fail "GET /s/DEMO.STP: $status"
[[ "$(header Content-Encoding)" == gzip ]] || fail "the survey page is not gzipped"
gunzip -c "$WORK/body" | grep -q '<form' || fail "the survey page has no form"
pass "GET /s/DEMO.STP: 200, gzip, $(wc -c <"$WORK/body") bytes compressed"

status="$(request /admin/sign-in -H 'Accept-Encoding: gzip')"
[[ "$status" == 200 ]] || fail "GET /admin/sign-in: $status"
[[ -z "$(header Content-Encoding)" ]] || fail "/admin is gzipped (BREACH: it must not be)"
[[ "$(header Strict-Transport-Security)" == "max-age=31536000; includeSubDomains" ]] || fail "HSTS on /admin"
[[ "$(grep -ci '^strict-transport-security:' "$WORK/headers")" == 1 ]] || fail "two HSTS headers on /admin"
pass "GET /admin/sign-in: 200, not compressed, one HSTS header"

big="$(python3 -c 'print("{\"comment\":\"" + "x" * 20000 + "\"}")')"
status="$(request /api/v1/responses -H "Authorization: Bearer $KIOSK" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')" -d "$big")"
[[ "$status" == 413 ]] || fail "a 20 KB rating body: $status, not 413"
pass "a 20 KB rating body: 413 from nginx"

status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$HTTP_PORT/kiosk")"
[[ "$status" == 301 ]] || fail "plain HTTP: $status, not 301"
status="$(request /metrics)"
if [[ "$status" != 200 ]] || ! grep -q '^hailong_responses_accepted_total' "$WORK/body"; then
    fail "/metrics from loopback: $status"
fi
pass "plain HTTP redirects (301); /metrics answers loopback"
echo "deploy/test-nginx.sh: all checks passed"
