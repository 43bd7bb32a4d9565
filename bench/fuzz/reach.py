"""How far a schemathesis run reached: the operations that got at least one 2xx answer.

usage: reach.py REPORT.ndjson [--list]

Reads the NDJSON report of `st run` (run.sh keeps it as FUZZ_REPORTS/<database>.ndjson) and
prints "operations with at least one 2xx answer: X of N" (N: the documented operations the run
tested, every phase counted); with --list, then each operation that got none, with the
statuses it got (most frequent first), e.g. `404×37 422×5`.
"""

import collections
import json
import sys


def main() -> None:
    path = sys.argv[1]
    listing = "--list" in sys.argv[2:]
    operations: set[str] = set()
    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    with open(path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            scenario = event.get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario["recorder"]
            # Each documented operation has its own scenarios, labelled `METHOD path`; the
            # stateful phase's scenarios chain several operations.
            if scenario["phase"] != "stateful":
                operations.add(recorder["label"])
            for case_id, interaction in recorder.get("interactions", {}).items():
                response = interaction.get("response")
                case = recorder["cases"].get(case_id, {}).get("value", {})
                if not response or not case:
                    continue
                # The operation's template (`GET /ias/v1/apps/{id}`), also in the stateful phase.
                statuses[f"{case['method']} {case['path']}"][response["status_code"]] += 1
    # Requests with an undocumented method (the `unsupported_method` check) are not operations.
    reached = {op for op in operations if any(200 <= s < 300 for s in statuses[op])}
    print(f"operations with at least one 2xx answer: {len(reached)} of {len(operations)}")
    if listing:
        for op in sorted(operations - reached, key=lambda o: (o.split(" ", 1)[1], o)):
            seen = " ".join(f"{s}×{n}" for s, n in statuses[op].most_common()) or "no answer"
            print(f"  {op}: {seen}")


if __name__ == "__main__":
    main()
