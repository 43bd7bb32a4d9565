"""Which operations each `[[operations]]` entry of a schemathesis config applies to.

usage: scope.py CONFIG.toml OPENAPI.json

Loads the config with schemathesis's own API (`SchemathesisConfig.from_path`) and the document
from a file, then prints, for each `[[operations]]` entry in order, the labels
(`METHOD /path`) of the operations schemathesis applies it to, so that an entry's reach is read
from the fuzzer itself, not from its selectors: in 4.32 separate include filters of one entry
(`include-method` beside `include-path-regex`) select their union, not the operations that
match both. Then the operations for which `positive_data_acceptance` accepts a 422.

Exits 1 (saying which entry) when an entry that names its operations (`include-name`)
applies to any other operation or names one the document lacks, or when an entry that lets
`positive_data_acceptance` accept a 422 does not name its operations: so that no exception
can widen again by accident (as it once did, to 205 of 240 operations).
"""

import json
import sys
import tomllib

import schemathesis
from schemathesis.config import SchemathesisConfig


def main() -> None:
    config = SchemathesisConfig.from_path(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        schema = schemathesis.openapi.from_dict(json.load(f), config=config)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label)
    entries = schema.config.operations.operations
    with open(sys.argv[1], "rb") as f:
        raw = tomllib.load(f).get("operations", [])
    if len(raw) != len(entries):
        sys.exit(f"scope.py: {len(raw)} [[operations]] entries in the file, {len(entries)} loaded")
    labels = {op.label for op in operations}
    wrong = []
    for index, (entry, written) in enumerate(zip(entries, raw), 1):
        selected = [op.label for op in operations if entry._filter_set.applies_to(op)]
        print(f"entry {index}: {len(selected)} of {len(operations)} operations")
        for label in selected:
            print(f"  {label}")
        named = written.get("include-name")
        if isinstance(named, str):
            named = [named]
        statuses = written.get("checks", {}).get("positive_data_acceptance", {}).get("expected-statuses", [])
        if "422" in statuses and not named:
            wrong.append(f"entry {index} accepts 422 in positive_data_acceptance without naming its operations (include-name)")
        if named:
            if set(selected) != set(named):
                wrong.append(f"entry {index} names {sorted(named)} but applies to {selected}")
            missing = sorted(set(named) - labels)
            if missing:
                wrong.append(f"entry {index} names operations the document lacks: {missing}")
    widened = [
        op.label
        for op in operations
        if "422" in (schema.config.operations.get_for_operation(op).checks.positive_data_acceptance.expected_statuses or [])
    ]
    print(f"positive_data_acceptance accepts 422: {len(widened)} of {len(operations)} operations")
    for label in widened:
        print(f"  {label}")
    for w in wrong:
        print(f"scope.py: {w}", file=sys.stderr)
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
