"""Mutation testing of the modules that decide what reaches HubSpot (`make mutation`).

Runs mutmut as configured in pyproject.toml ([tool.mutmut]: which modules, which tests), from a
clean mutants/ directory, then reads every mutant's result back with `mutmut results --all` and
prints the survivors and, as its last line, one JSON object:

    {"mutants": N, "killed": K, "survived": S, "kill_rate": K/N, "seconds": wall-clock}

How mutmut's outcomes are counted:
- killed: a test failed ("killed"), or the tests ran past mutmut's time limit ("timeout": the
  mutant made the code loop or wait, which a user would notice too);
- survived: everything else, so that nothing inflates the rate: "survived", "no tests" (no
  selected test runs the mutated function: nothing would notice the change), "suspicious" and
  "segfault" (the test run ended in a way that is neither a pass nor a failure), "skipped",
  "caught by type check" (no type checker is configured, so there are none), and "not checked"
  (the run stopped early: the script then also exits with an error).
S is always N - K.

mutmut's own output goes to var/mutation.log.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {"killed", "timeout"}
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")


def mutmut(*args: str, log=None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    if log is None:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    # Its own process group: stopping this script (Ctrl-C, a CI timeout) stops mutmut and
    # every mutant it forked, instead of leaving them running in the background.
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        process.wait()
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return subprocess.CompletedProcess(command, process.returncode)


def results() -> dict[str, str]:
    """{mutant name: mutmut's status} for every mutant, killed ones included."""
    answer = mutmut("results", "--all", "true")
    if answer.returncode != 0:
        raise SystemExit(f"mutmut results failed:\n{answer.stdout}{answer.stderr}")
    found = {}
    for line in answer.stdout.splitlines():
        match = RESULT_LINE.match(line)
        if match:
            found[match["name"]] = match["status"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # One more than the CPUs: part of each test run waits on the in-process sandbox's sockets.
    parser.add_argument("--max-children", type=int, default=(os.cpu_count() or 2) + 1,
                        help="mutants tested at once (default: CPUs + 1)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse mutants/ from the last run (only changed code is re-tested)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: stop mutmut too (above)

    started = time.monotonic()
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    log_path = ROOT / "var" / "mutation.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        run = mutmut("run", "--max-children", str(args.max_children), log=log)
    seconds = round(time.monotonic() - started, 1)
    if run.returncode != 0:
        print(f"mutmut run failed (exit {run.returncode}); see {log_path}", file=sys.stderr)
        return 1

    status = results()
    counts = Counter(status.values())
    mutants = len(status)
    killed = sum(n for s, n in counts.items() if s in KILLED)
    not_killed = sorted(name for name, s in status.items() if s not in KILLED)
    for name in not_killed:
        print(f"{status[name]}: {name}")
    print("by outcome:", json.dumps(dict(sorted(counts.items()))))
    print(json.dumps({
        "mutants": mutants, "killed": killed, "survived": mutants - killed,
        "kill_rate": round(killed / mutants, 3) if mutants else 0.0, "seconds": seconds,
    }))
    return 1 if counts.get("not checked") else 0


if __name__ == "__main__":
    sys.exit(main())
