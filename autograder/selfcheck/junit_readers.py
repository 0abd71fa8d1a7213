#!/usr/bin/env python3
"""junit_readers.py - reads an ipclab JUnit file the way CI test reporters do.

Usage: junit_readers.py JUNIT.xml RESULTS.json [--failures-contain TEXT]

Two readers, each modelled on its source:
- GitLab (gitlab-org/gitlab, lib/gitlab/ci/parsers/test/junit.rb): Hash.from_xml,
  then every testcase under testsuites/testsuite; the status is the first of
  failure, error, skipped that the testcase holds (else success); what it
  shows of a test that did not pass is that element's text (its attributes
  when it has no text); time is `to_f` of the attribute.
- dorny/test-reporter (src/parsers/java-junit/java-junit-parser.ts): xml2js,
  failure or error is "failed", skipped is "skipped", else "success"; the
  details are the first failure's (or error's) text; time is parseFloat * 1000.

Each must find the tests of the --results JSON of the same run (same names,
as many passed and as many not passed), the statuses the file's own counts
announce, a readable time, and for each test that did not pass a text that
holds its message; message attributes must read whole (one line, no
dangling separator). With --failures-contain, every failure text holds TEXT.
Exits 1 and says why on the first reader that reads something else.
"""
import json
import math
import sys
import xml.etree.ElementTree as ET

OUTCOMES = ("failure", "error", "skipped")


def text_of(element):
    """All the text of an element, as both readers take it."""
    return "".join(element.itertext())


def suites(root):
    """testsuite elements under the one testsuites (GitLab and dorny both nest so)."""
    if root.tag != "testsuites":
        raise ValueError("the root is <%s>, not <testsuites>" % root.tag)
    return root.iter("testsuite")


def gitlab(root):
    """name -> (status, shown text, seconds)."""
    tests = {}
    for suite in suites(root):
        for case in suite.findall("testcase"):
            status, shown = "success", None
            for kind, name in (("failure", "failed"), ("error", "error"),
                               ("skipped", "skipped")):
                found = case.find(kind)
                if found is not None:
                    status = name
                    content = text_of(found)
                    # Hash.from_xml: non-blank text wins over the attributes
                    shown = content if content.strip() else dict(found.attrib)
                    break
            tests[case.get("name")] = (status, shown, float(case.get("time") or 0))
    return tests


def dorny(root):
    """name -> (status, details, milliseconds)."""
    tests = {}
    for suite in suites(root):
        for case in suite.findall("testcase"):
            failures = case.findall("failure") or case.findall("error")
            if failures:
                status, details = "failed", text_of(failures[0])
            elif case.find("skipped") is not None:
                status, details = "skipped", None
            else:
                status, details = "success", None
            tests[case.get("name").strip()] = (status, details,
                                               float(case.get("time")) * 1000)
    return tests


def check_messages(root, problems):
    for case in root.iter("testcase"):
        for kind in OUTCOMES:
            for found in case.findall(kind):
                message = found.get("message", "")
                where = "%s <%s>" % (case.get("name"), kind)
                if not message.strip():
                    problems.append("%s: no message" % where)
                elif "\n" in message or message[-1] in " \t:;,":
                    problems.append("%s: the message does not end cleanly: %r"
                                    % (where, message))
                text = text_of(found)
                if text and text[-1] in " \t\n":
                    problems.append("%s: the text ends in white space: %r"
                                    % (where, text[-40:]))
                if "messages above" in text or "messages above" in message:
                    problems.append("%s: says \"above\", which a JUnit file has not" % where)


def check_reader(name, tests, root, results, problems, failures_contain):
    expected = {t["name"]: t for t in results["tests"]}
    if set(tests) != set(expected):
        problems.append("%s: reads tests %s, results.json has %s" % (
            name, sorted(set(tests) ^ set(expected)), "the others"))
        return
    passed = [n for n, (status, _, _) in tests.items() if status == "success"]
    json_passed = [n for n, t in expected.items() if t["status"] == "passed"]
    if sorted(passed) != sorted(json_passed):
        problems.append("%s: %d passed, results.json says %d"
                        % (name, len(passed), len(json_passed)))
    suite = root.find("testsuite")
    announced = {"failed": int(suite.get("failures")), "error": int(suite.get("errors")),
                 "skipped": int(suite.get("skipped"))}
    if name == "dorny":
        announced = {"failed": announced["failed"] + announced["error"],
                     "skipped": announced["skipped"]}
    for status, count in announced.items():
        read = sum(1 for s, _, _ in tests.values() if s == status)
        if read != count:
            problems.append("%s: %d tests %s, the file announces %d"
                            % (name, read, status, count))
    for test, (status, shown, time) in tests.items():
        if not math.isfinite(time) or time < 0:
            problems.append("%s: %s takes %r" % (name, test, time))
        if status in ("success", "skipped") and name == "dorny":
            continue
        if status == "success":
            continue
        shown_text = shown.get("message", "") if isinstance(shown, dict) else shown or ""
        first = shown_text.split("\n", 1)[0]
        if not first or first not in expected[test]["output"]:
            problems.append("%s: %s shows %r, not in its results.json output"
                            % (name, test, first))
        if failures_contain and status != "skipped" and failures_contain not in shown_text:
            problems.append("%s: %s does not show %r" % (name, test, failures_contain))


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--failures-contain"):
        sys.exit("usage: junit_readers.py JUNIT.xml RESULTS.json [--failures-contain TEXT]")
    root = ET.parse(argv[1]).getroot()
    with open(argv[2], encoding="utf-8") as f:
        results = json.load(f)
    failures_contain = argv[4] if len(argv) == 5 else None
    problems = []
    check_messages(root, problems)
    for name, reader in (("gitlab", gitlab), ("dorny", dorny)):
        check_reader(name, reader(root), root, results, problems, failures_contain)
    for problem in problems[:20]:
        print("%s: %s" % (argv[1], problem))
    if len(problems) > 20:
        print("%s: ... and %d more" % (argv[1], len(problems) - 20))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
