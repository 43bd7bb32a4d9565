"""Which operations each `[[operations]]` entry of a schemathesis config applies to.

usage: scope.py CONFIG.toml OPENAPI.json

Loads the config with schemathesis's own API (`SchemathesisConfig.from_path`) and the document
from a file, then prints, for each `[[operations]]` entry in order, the labels
(`METHOD /path`) of the operations schemathesis applies it to, so that an entry's reach is read
from the fuzzer itself, not from its selectors: in 4.32 separate include filters of one entry
(`include-method` beside `include-path-regex`) select their union, not the operations that
match both. Then the operations for which `positive_data_acceptance` accepts a 422.
"""

import json
import sys

import schemathesis
from schemathesis.config import SchemathesisConfig


def main() -> None:
    config = SchemathesisConfig.from_path(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        schema = schemathesis.openapi.from_dict(json.load(f), config=config)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label)
    entries = schema.config.operations.operations
    for index, entry in enumerate(entries, 1):
        selected = [op.label for op in operations if entry._filter_set.applies_to(op)]
        print(f"entry {index}: {len(selected)} of {len(operations)} operations")
        for label in selected:
            print(f"  {label}")
    widened = [
        op.label
        for op in operations
        if "422" in (schema.config.operations.get_for_operation(op).checks.positive_data_acceptance.expected_statuses or [])
    ]
    print(f"positive_data_acceptance accepts 422: {len(widened)} of {len(operations)} operations")
    for label in widened:
        print(f"  {label}")


if __name__ == "__main__":
    main()
