"""``taizhang eval diff``: the version diff against second versions made with known edits.

For each document in ``eval/gold/versions/edits.yaml`` the diff of the corpus text and its
generated second version must report every edit (removed, added, changed with the right
aspects, renumbered) and nothing else. Events are compared as (kind, title, detail) triples:
precision = reported events that were made / reported; recall = made events reported / made.
"""

from __future__ import annotations

from eval.diff_versions import REPO, ExpectedDiff, load_expected, load_specs
from eval.ratio import ratio
from extractors.relations.align import bare_number
from extractors.relations.diff import VersionDiff, diff_versions
from extractors.run import extract_document
from pipeline.run import parse_file
from pipeline.settings import Settings

Event = tuple[str, str, str]


def reported_events(diff: VersionDiff) -> set[Event]:
    events: set[Event] = set()
    for c in diff.changes:
        title = (c.new or c.old)[0].title
        if c.kind in ("added", "removed"):
            events.add((c.kind, title, ""))
        if c.kind in ("merged", "split"):
            events.add((c.kind, title, ""))
        events.update(("changed", title, a) for a in c.aspects)
        if c.renumbered:
            events.add(("renumbered", title,
                        f"{bare_number(c.old[0].number)}→{bare_number(c.new[0].number)}"))
        if c.moved:
            events.add(("moved", title, ""))
    return events


def expected_events(expected: ExpectedDiff) -> set[Event]:
    events: set[Event] = set()
    for e in expected.events:
        if e.kind == "changed":
            events.update(("changed", e.title, a) for a in e.aspects)
        elif e.kind == "renumbered":
            events.add(("renumbered", e.title, f"{e.old_number}→{e.new_number}"))
        else:
            events.add((e.kind, e.title, ""))
    return events


def score_document(expected: ExpectedDiff, settings: Settings) -> tuple[set[Event], set[Event]]:
    old = extract_document(parse_file(REPO / expected.old_file, settings=settings))
    new = extract_document(parse_file(REPO / expected.new_file, settings=settings))
    return reported_events(diff_versions(old, new)), expected_events(expected)


def main(settings: Settings | None = None) -> dict:
    settings = settings or Settings()
    total_hit = total_pred = total_gold = 0
    missed_all: list[str] = []
    false_all: list[str] = []
    print("version diff vs generated edits (eval/gold/versions/)")
    print(f"{'document':42} {'edits':>6} {'found':>6} {'false':>6} {'P':>6} {'R':>6}")
    for spec in load_specs():
        reported, made = score_document(load_expected(spec.doc_id), settings)
        hit = reported & made
        missed, false = sorted(made - reported), sorted(reported - made)
        total_hit, total_pred, total_gold = total_hit + len(hit), total_pred + len(reported), total_gold + len(made)
        print(f"{spec.doc_id:42} {len(made):6} {len(hit):6} {len(false):6} "
              f"{ratio(len(hit), len(reported)):6.3f} {ratio(len(hit), len(made)):6.3f}")
        missed_all += [f"{spec.doc_id}: missed {e}" for e in missed]
        false_all += [f"{spec.doc_id}: false {e}" for e in false]
    precision, recall = ratio(total_hit, total_pred), ratio(total_hit, total_gold)
    print(f"{'all':42} {total_gold:6} {total_hit:6} {total_pred - total_hit:6} {precision:6.3f} {recall:6.3f}")
    for line in missed_all + false_all:
        print("  " + line)
    return {"precision": precision, "recall": recall, "edits": total_gold, "found": total_hit,
            "missed": missed_all, "false": false_all}



if __name__ == "__main__":
    main()
