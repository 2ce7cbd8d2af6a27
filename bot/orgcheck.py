"""`tawasul orgs check [ORG] [--file PROFILE.yaml]`: every promise of a profile beside its source.

Prints, per association, each promise with the sentence the bot says in each language (ar/en/ur/id)
and its source (the clause of the association's policy, located by section and item, with what it
commits to) or the assumption awaiting the association; then the list of assumptions. Exits 1 when a
sentence states more than its source or a promise has neither a clause nor an assumption, 2 on a
profile that does not load.

    $ tawasul orgs check esrar
    == esrar: الجمعية التعاونية إصرار للأسر المنتجة
    promise deadline
      ar: يُرد على طلبك خلال مدة لا تتجاوز 15 يوم عمل من تاريخ اكتمال الطلب.
      ...
      source: ت Dealing with beneficiaries, item 6: the reply comes no later than 15 working days ... [at most]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import ValidationError

from bot.flows.promises import Finding, Promise, check, promises_of, unused_provenance
from orgs import OrgNotFound, OrgProfile, OrgProfileError, all_orgs, load_org

PERIODS = {"at_most": "at most", "at_least": "at least", "none": "no period stated"}


def _source_lines(promise: Promise) -> list[str]:
    prov = promise.provenance
    if prov is None:
        return ["  source: NONE (no policy clause, no assumption)"]
    lines = []
    for clause in prov.source:
        where = clause.section + (f", item {clause.item}" if clause.item else "")
        kind = f" [{PERIODS[clause.period]}]" if clause.period else ""
        named = f" (names: {', '.join(clause.names)})" if clause.names else ""
        lines.append(f"  source: {where}: {clause.commits}{kind}{named}")
    if prov.assumption is not None:
        answer = f" -- answered: {prov.assumption.answer}" if prov.assumption.answer else " -- awaiting the association"
        lines.append(f"  assumption: {prov.assumption.note}{answer}")
    return lines


def report(org: OrgProfile, out: TextIO) -> list[Finding]:
    """Print one association's promises, sources and assumptions; return what states more than its source."""
    print(f"== {org.slug}: {org.name.get('ar')}", file=out)
    promises = promises_of(org)
    for promise in promises:
        print(f"promise {promise.key}", file=out)
        for lang, sentences in promise.sentences.items():
            for sentence in sentences:
                print(f"  {lang}: {' / '.join(sentence.splitlines())}", file=out)
        for line in _source_lines(promise):
            print(line, file=out)
    assumptions = [(p.key, p.provenance.assumption) for p in promises if p.provenance and p.provenance.assumption]
    print(f"assumptions awaiting {org.slug} ({len(assumptions)}):", file=out)
    for key, assumption in assumptions:
        print(f"  - {key}: {assumption.note} | {assumption.question}"
              + (f" | answer: {assumption.answer}" if assumption.answer else ""), file=out)
    for key in unused_provenance(org):
        print(f"  note: provenance for {key!r}, a promise the profile does not make", file=out)
    findings = check(org)
    for finding in findings:
        where = f"[{finding.lang}] " if finding.lang else ""
        print(f"FAIL {finding.key} {where}{finding.problem}", file=out)
    print(f"{org.slug}: {'ok' if not findings else f'{len(findings)} problem(s)'}", file=out)
    print(file=out)
    return findings


def _from_file(path: Path) -> OrgProfile:
    try:
        return OrgProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise OrgProfileError(f"{path}: {exc}") from exc


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tawasul orgs", description="Association profiles")
    sub = parser.add_subparsers(dest="command", required=True)
    checker = sub.add_parser("check", help="each promise, its sentences and its source; fails on overstatement")
    checker.add_argument("org", nargs="?", help="one association's slug (default: all)")
    checker.add_argument("--file", type=Path, help="check this profile YAML file instead of the loaded profiles")
    args = parser.parse_args(argv)
    try:
        if args.file:
            profiles = [_from_file(args.file)]
        elif args.org:
            profiles = [load_org(args.org)]
        else:
            profiles = list(all_orgs().values())
    except (OrgNotFound, OrgProfileError) as exc:
        print(f"tawasul orgs check: {exc}", file=sys.stderr)
        return 2
    failed = [org.slug for org in profiles if report(org, sys.stdout)]
    if failed:
        print(f"states more than its source: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
