#!/usr/bin/env python3
"""Validates FHIR R4 Consent resources, one JSON file each, with the independent `fhir.resources`
package (PyPI). Its R4B models are used: FHIR R4B changed nothing in Consent from R4 (4.0.1).
Prints one line per file; exits 1 if any file is not a valid Consent, 2 if given no file."""

import json
import sys

from fhir.resources.R4B.consent import Consent


def main(paths):
    if not paths:
        print("fhir_validate: no files given", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        try:
            consent = Consent.model_validate(data)
            # The R4 rule ppc-1: a policy or a policyRule.
            if consent.policy is None and consent.policyRule is None:
                raise ValueError("ppc-1: either a policy or a policyRule")
            print(f"valid   {path}: Consent {consent.id} {consent.status}")
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            failed += 1
            print(f"INVALID {path}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
