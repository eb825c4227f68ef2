"""Series grouping and the default clean-up on the development set of
real-library failure classes (engine/series/devset.py; a subset here, the
full set in tests/bench/bench_series_devset.py): B&W, sideways without EXIF,
heavy blur, a third of the brightness, noise, shake, re-encode, crop, zoom,
bursts, and the negatives: a person stepping in, another person at the same
spot, the same scene from another position. Every file has the same date
(the hardest case: visual evidence alone decides)."""

from __future__ import annotations

import pytest

from photoorg.engine.series import devset
from photoorg.engine.series.deveval import evaluate, format_report, lost_photos, run_pipeline


@pytest.fixture(scope="module")
def run(shared_photos, tmp_path_factory):
    items = devset.build(shared_photos, small=True)
    assert len(items) > 60
    return run_pipeline(items, tmp_path_factory.mktemp("devset"))


def test_redundant_groups_are_found_and_negatives_kept_apart(run):
    report = evaluate(run.items, run.groups)
    print(format_report(report))
    assert report.redundant.recall >= 0.95, report.missed_redundant[:10]
    assert report.redundant.precision >= 0.98, report.false_redundant[:10]
    for cls in ("bw", "sideways", "blur", "dark", "noise", "shaken", "zoom", "crop", "burst"):
        assert report.per_class[f"redundant:{cls}"]["recall"] >= 0.9, cls
    for cls in ("person-in", "other-person", "other-position"):
        assert report.per_class[f"similar:{cls}"]["called_redundant"] == 0, cls
    # The negatives are still shown together as a similar moment.
    assert report.per_class["similar:person-in"]["same_scene"] == 1.0


def test_default_clean_up_trashes_no_wanted_photo(run):
    assert run.trashed, "the default clean-up proposes the redundant copies"
    assert lost_photos(run.items, run.trashed, []) == []
    by_name = {it.name: it for it in run.items}
    assert not any(by_name[n].cls in ("person-in", "other-person", "other-position") for n in run.trashed)
    # Damaged copies are what a person culls first: they are proposed.
    damaged = [it.name for it in run.items if it.damaged]
    assert sum(n in run.trashed for n in damaged) >= 0.9 * len(damaged)


def test_the_original_ranks_first_among_its_damaged_copies(run):
    assert run.original_first and all(run.original_first.values()), run.original_first
