#!/usr/bin/env python3
"""One line of counts for a CTest run: "N passed, N failed, N skipped (label: N, ...)".

CTest's own summary counts a skipped case as neither failed nor, visibly, skipped; a reader of
CI logs must see how many cases checked nothing and why (a GPU tier without a GPU, a reference
missing on a developer's machine). Reads CTest's JUnit file (--output-junit) and the tests'
labels (ctest --show-only=json-v1). Standard library only: it runs before any environment exists.

Usage: ctest_summary.py JUNIT.xml BUILD_DIR [TITLE]
"""
import collections
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def labels_by_test(build_dir):
    shown = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"],
                           capture_output=True, text=True, check=True).stdout
    labels = {}
    for test in json.loads(shown).get("tests", []):
        for prop in test.get("properties", []):
            if prop.get("name") == "LABELS":
                labels[test["name"]] = ",".join(prop.get("value", []))
    return labels


def main():
    junit, build_dir = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else "tests"
    labels = labels_by_test(build_dir)
    counts = collections.Counter()
    skipped_by_label = collections.Counter()
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = case.get("status", "run")
        if case.find("failure") is not None or case.find("error") is not None or status == "fail":
            counts["failed"] += 1
        elif case.find("skipped") is not None or status in ("notrun", "disabled"):
            counts["skipped"] += 1
            skipped_by_label[labels.get(case.get("name"), "unlabelled")] += 1
        else:
            counts["passed"] += 1
    line = f"{title}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    if skipped_by_label:
        line += " (" + ", ".join(f"{label}: {n}" for label, n in sorted(skipped_by_label.items())) + ")"
    print(line)


if __name__ == "__main__":
    main()
