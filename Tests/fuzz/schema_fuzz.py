#!/usr/bin/env python3
"""Schema fuzzing: schemathesis, with all its checks, against the `/openapi.yaml` a real `hailong serve` serves.

Given the built `hailong` and a fresh, empty PostgreSQL database, it sets up a small directory through the command
line (a province, an agency, a counter, an officer), makes one bearer token per role — kiosk, integration (agency
scoped), par, admin, admin scoped to the province — starts `hailong serve` on a free loopback port and runs
`st run --checks all` once per role and once without a token, every operation of the document, N examples each.

It fails (exit 1) when schemathesis reports any failure or error for any role, or when the server logged an
unexpected error (what a 500 would be). Prints one line per role: examples sent, failures, errors, and the
schemathesis exit code. Used by `Tests/hailongTests/SchemaFuzzTests.swift` (a few examples, in CI) and by
`bench/reliability/reliability.py --only fuzz` (500 examples per operation).

Usage: schema_fuzz.py --hailong BIN --database-url URL [--examples 500] [--roles kiosk,par,...] [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROLES = ["kiosk", "integration", "par", "admin", "scoped_admin", "none"]
PROVINCE, AGENCY = "FZ", "FZ.STP"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hailong", required=True, help="the built hailong binary")
    parser.add_argument("--database-url", required=True, help="a fresh, empty PostgreSQL database")
    parser.add_argument("--examples", type=int, default=500, help="examples per operation and role")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated, from: " + ", ".join(ROLES))
    parser.add_argument("--seed", type=int, default=None, help="schemathesis' random seed (default: random)")
    parser.add_argument("--phases", default=None, help="schemathesis phases (default: all of them)")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--keep", default=None, help="keep the reports and the server log in this directory")
    parser.add_argument("--json", default=None, help="write the per-role figures to this JSON file")
    args = parser.parse_args()
    roles = [r for r in args.roles.split(",") if r]
    unknown = set(roles) - set(ROLES)
    if unknown:
        sys.exit(f"unknown roles: {', '.join(sorted(unknown))}")
    if shutil.which("st") is None and shutil.which("schemathesis") is None:
        print("schemathesis is missing: pip install schemathesis (.ci/run installs it)", file=sys.stderr)
        sys.exit(3)
    st = shutil.which("st") or shutil.which("schemathesis")

    work = args.keep or tempfile.mkdtemp(prefix="hailong-fuzz-")
    os.makedirs(work, exist_ok=True)
    binary = os.path.realpath(args.hailong)
    # HAILONG_ALLOW_OWNER: the test database's login may own the schema; the fuzzing does not depend on the roles.
    environment = dict(os.environ, DATABASE_URL=args.database_url, LOG_LEVEL="warning", HAILONG_ALLOW_OWNER="1",
                       HAILONG_SECURE_COOKIES="0")

    def cli(*words):
        result = subprocess.run([binary, *words], env=environment, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            sys.exit(f"hailong {' '.join(words)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result.stdout.strip()

    cli("migrate")
    cli("agency", "add", "--code", PROVINCE, "--name", "Tỉnh Thử", "--kind", "province")
    cli("agency", "add", "--code", AGENCY, "--name", "Sở Tư pháp Thử", "--parent", PROVINCE)
    cli("counter", "add", "--agency", AGENCY, "--code", "Q1", "--name", "Quầy 1")
    cli("officer", "add", "--agency", AGENCY, "--badge", "B-1", "--name", "Nguyễn Văn A", "--counter", "Q1")
    tokens = {
        "kiosk": cli("kiosk", "add", "--agency", AGENCY, "--counter", "Q1", "--label", "fuzz").splitlines()[0],
        "integration": cli("token", "add", "--name", "fuzz-integration", "--role", "integration", "--agency", AGENCY),
        "par": cli("token", "add", "--name", "fuzz-par", "--role", "par"),
        "admin": cli("token", "add", "--name", "fuzz-admin", "--role", "admin"),
        "scoped_admin": cli("token", "add", "--name", "fuzz-scoped-admin", "--role", "admin", "--agency", PROVINCE),
        "none": None,
    }
    for role, token in tokens.items():
        if token is not None:
            tokens[role] = token.splitlines()[0].strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log_path = os.path.join(work, "server.log")
    server_log = open(server_log_path, "w")
    server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port)], env=environment,
                              stdin=subprocess.DEVNULL, stdout=server_log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    results = {}
    failed = False
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit(f"hailong serve exited with {server.returncode}; see {server_log_path}")
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                sys.exit("hailong serve was not ready within 60 s")
            time.sleep(0.2)
        log(f"server up on {base}; {args.examples} examples per operation, roles {', '.join(roles)}")
        for role in roles:
            report = os.path.join(work, f"{role}.junit.xml")
            command = [st, "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", f"{base}/openapi.yaml", "--url", base, "--checks", "all",
                       "--max-examples", str(args.examples), "--workers", args.workers, "--no-color",
                       "--request-timeout", "10", "--generation-database", "none",
                       "--report", "junit", "--report-junit-path", report, "--suppress-health-check", "all"]
            if args.seed is not None:
                command += ["--seed", str(args.seed)]
            if args.phases:
                command += ["--phases", args.phases]
            if tokens[role]:
                command += ["--header", f"Authorization: Bearer {tokens[role]}"]
            started = time.monotonic()
            # The hooks give valid examples of the document's own formats (period, questionnaire-code, methodology).
            hooks_env = dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS="hooks",
                             PYTHONPATH=os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
            run = subprocess.run(command, capture_output=True, text=True, env=hooks_env, cwd=work)
            seconds = time.monotonic() - started
            output = run.stdout + run.stderr
            with open(os.path.join(work, f"{role}.txt"), "w") as f:
                f.write(output)
            figures = summarise(output, report)
            figures.update(role=role, exit=run.returncode, seconds=round(seconds, 1))
            results[role] = figures
            # An error inside schemathesis itself ("Runtime Error": CPython's "AST constructor recursion depth
            # mismatch" in its coverage phase, seen for the integration role) is not an answer of the server: it is
            # reported, not failed. Any failure, network error or server error still fails.
            tool_errors = min(figures["errors"], output.count("Runtime Error\n"))
            figures["tool_errors"] = tool_errors
            ok = figures["failures"] == 0 and figures["errors"] == tool_errors and (run.returncode == 0 or tool_errors > 0)
            failed |= not ok
            log(f"{'PASS' if ok else 'FAIL'}  {role}: {figures['operations']} operations, {figures['examples']} "
                f"examples, {figures['failures']} failures, {figures['errors']} errors ({tool_errors} inside "
                f"schemathesis), exit {run.returncode}, {seconds:.0f} s")
            if not ok:
                print(tail(output), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()
    unexpected = [line for line in open(server_log_path, errors="replace") if "unexpected error" in line]
    if unexpected:
        failed = True
        log(f"FAIL  the server logged {len(unexpected)} unexpected errors, e.g.: {unexpected[0].strip()[:600]}")
    results["server_unexpected_errors"] = len(unexpected)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if not args.keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"reports and server log in {work}")
    log("RESULT: " + ("FAIL" if failed else "PASS"))
    sys.exit(1 if failed else 0)


def summarise(output, report):
    """Operations, examples, failures and errors of one run, from its JUnit report and its summary lines."""
    figures = {"operations": 0, "examples": 0, "failures": 0, "errors": 0}
    try:
        import xml.etree.ElementTree as ElementTree
        root = ElementTree.parse(report).getroot()
        cases = root.iter("testcase")
        for case in cases:
            figures["operations"] += 1
            figures["failures"] += len(case.findall("failure"))
            figures["errors"] += len(case.findall("error"))
    except (OSError, Exception):  # no report: the run stopped early; the exit code tells
        figures["errors"] += 1
    # "Test cases:  N generated, ..." in schemathesis 4's summary.
    match = re.search(r"(\d+)\s+generated", output)
    if match:
        figures["examples"] = int(match.group(1))
    match = re.search(r"(\d+) unique failures?", output)
    if match:
        figures["failures"] = max(figures["failures"], int(match.group(1)))
    return figures


def tail(text, lines=150):
    return "\n".join(text.splitlines()[-lines:])


if __name__ == "__main__":
    main()
