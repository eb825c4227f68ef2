"""The albums stage on real photos: albums by folder / time / auto, event
labels a person would give, importance per photo, corrections that survive
rescans, broken and missing photos that do not stop the analysis, and the
`photoorg albums --json` contract."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from photoorg.engine.albums.build import EVENT_IN_TITLE, build_albums, correct_event
from photoorg.engine.catalog import Catalog
from photoorg.engine.cli import main
from photoorg.engine.pipeline import run_stages
from photoorg.engine.scan.scanner import scan
from photoorg.engine.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared_photos):
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(shared_photos / "immich/albums/nature", root / "nature")
    shutil.copytree(shared_photos / "immich/albums/text", root / "text")  # no EXIF dates, no event
    pair = root / "pair"  # two landscapes: fewer photos than any album the event model learned from
    pair.mkdir()
    for name in sorted(p.name for p in (shared_photos / "immich/albums/nature").iterdir())[:2]:
        shutil.copy(shared_photos / "immich/albums/nature" / name, pair / name)
    shutil.copytree(shared_photos / "exif/jpg/gps", root / "DCIM/100NIKON", ignore=shutil.ignore_patterns("*.txt"))
    broken = root / "broken"
    broken.mkdir()
    data = (shared_photos / "exif/jpg/gps/DSCN0010.jpg").read_bytes()
    (broken / "truncated.jpg").write_bytes(data[: len(data) // 6])  # header fine, pixels cut
    (broken / "empty.jpg").write_bytes(b"")
    shutil.copy(shared_photos / "exif/jpg/corrupted.jpg", broken / "corrupted.jpg")
    # Two readable photos that will "break" after the scan (see the test).
    shutil.copy(shared_photos / "exif/jpg/Canon_40D.jpg", broken / "a.jpg")
    shutil.copy(shared_photos / "exif/jpg/Nikon_D70.jpg", broken / "b.jpg")
    return root


@pytest.fixture(scope="module")
def analysed(library, tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalog")
    settings = Settings.for_catalog(folder / "catalog.sqlite", workers=1)
    with Catalog(settings.catalog_path) as catalog:
        scan(catalog, [str(library)], settings)
        outcomes = {o.name: o for o in run_stages(catalog, settings, only=["embed", "albums"])}
    return settings, outcomes


def _by_place(catalog, mode):
    """Folder albums by their folder's name."""
    folders = catalog.folder_paths()
    return {folders[a.folder_id].rsplit("/", 1)[-1]: a for a in catalog.albums(mode) if a.source == "folder"}


def test_stage_runs_and_labels_real_albums(analysed, library):
    settings, outcomes = analysed
    assert outcomes["albums"].status == "done", outcomes["albums"].error
    with Catalog(settings.catalog_path) as catalog:
        albums = catalog.albums("auto")
        nature = _by_place(catalog, "auto")["nature"]
        walk = next(a for a in albums if a.source == "time" and a.photo_count == 9)
        # The labels a person would give.
        ranked = sorted(nature.event_scores, key=nature.event_scores.get, reverse=True)
        assert ranked[0] == "NatureTrip", nature.event_scores
        walk_ranked = sorted(walk.event_scores, key=walk.event_scores.get, reverse=True)
        assert {"UrbanTrip", "Architecture"} & set(walk_ranked[:2]), walk.event_scores
        # Its place in words (the offline gazetteer), its date from EXIF; no camera folder name.
        assert walk.place == "Arezzo" and walk.title.endswith("Arezzo, 22 Oct 2008"), walk.title
        assert "100NIKON" not in walk.title
        # Sure enough to be named in the title; the folder of text photos (no event) is not.
        assert nature.event_scores["NatureTrip"] >= EVENT_IN_TITLE and nature.title.startswith("Nature trip ·")
        assert max(walk.event_scores["Architecture"], walk.event_scores["UrbanTrip"]) >= EVENT_IN_TITLE
        text = _by_place(catalog, "auto")["text"]
        # No event, no GPS, no capture date (file times only): its folder's name alone.
        assert max(text.event_scores.values()) < EVENT_IN_TITLE and text.title == "text", (text.title, text.event_scores)
        for album in (nature, walk):
            photos = catalog.album_photos(album.id, order="importance")
            scores = [p.importance for p in photos]
            assert all(s is not None and 0 <= s <= 1 for s in scores)
            assert max(scores) == pytest.approx(1.0) and scores == sorted(scores, reverse=True)
            assert sum(p.attention for p in photos) == pytest.approx(1.0, abs=1e-4)


def test_title_dates_come_from_capture_dates_not_file_times(analysed):
    from photoorg.engine.albums.titles import date_range

    settings, _ = analysed
    with Catalog(settings.catalog_path) as catalog:
        by_place = _by_place(catalog, "auto")
        nature, text = by_place["nature"], by_place["text"]
        members = catalog.photos(ids=[m.photo_id for m in catalog.album_photos(nature.id)])
        real = [p for p in members if p.capture_source != "mtime"]
        files = [p for p in members if p.capture_source == "mtime"]
        assert real and files  # the nature album has both: EXIF dates and photos with only a file time
        expected = date_range(min(p.capture_time for p in real), max(p.capture_time for p in real))
        assert nature.title.endswith(" · " + expected), nature.title
        assert "file dates" not in nature.title
        assert (nature.start_ts, nature.end_ts) == (min(p.capture_ts for p in real), max(p.capture_ts for p in real))
        # Only file times (the day of the copy): the title says nothing about dates.
        text_members = catalog.photos(ids=[m.photo_id for m in catalog.album_photos(text.id)])
        assert all(p.capture_source == "mtime" for p in text_members)
        assert text.title == "text" and text.start_ts == min(p.capture_ts for p in text_members)


def test_too_small_an_album_gets_no_event_in_its_title(analysed):
    from photoorg.engine.albums.build import MIN_EVENT_PHOTOS, event_unnamed_reason

    settings, _ = analysed
    with Catalog(settings.catalog_path) as catalog:
        pair = _by_place(catalog, "auto")["pair"]
        assert pair.photo_count == 2 < MIN_EVENT_PHOTOS and pair.event_scores  # scored, like every album
        assert pair.title.startswith("pair · "), (pair.title, pair.event_scores)
    assert event_unnamed_reason(0.9, 2) == "too few photos to tell"
    assert event_unnamed_reason(0.49, 9) == "no clear event" and event_unnamed_reason(None, 9) == "no clear event"
    assert event_unnamed_reason(0.5, MIN_EVENT_PHOTOS) is None


def test_broken_photos_do_not_stop_the_albums(analysed):
    settings, _ = analysed
    with Catalog(settings.catalog_path) as catalog:
        skipped = {r["path"].rsplit("/", 1)[-1] for r in catalog.query("SELECT path FROM skipped_files")}
        assert {"truncated.jpg", "empty.jpg"} <= skipped  # never photos, never in an album
        # The album of photos the backbone could not read: their features are
        # gone and the embed stage recorded a failure (as for a file that broke
        # between scan and analysis).
        album = _by_place(catalog, "auto")["broken"]
        members = catalog.photos(ids=[m.photo_id for m in catalog.album_photos(album.id)])
        hashes = [p.content_hash for p in members]
        with catalog.write() as db:
            db.conn.executemany("DELETE FROM features WHERE content_hash = ?", [(h,) for h in hashes])
        catalog.mark_stage(hashes, "embed", 1, "failed", "cannot decode")
        summary = build_albums(catalog, settings, "auto", relabel=True)
        assert summary["photos_without_features"] == len(members) >= 2
        again = catalog.album(album.id)
        assert again.event is None and again.event_scores == {} and again.title
        assert all(p.importance is None for p in catalog.album_photos(album.id))
        nature = _by_place(catalog, "auto")["nature"]
        assert nature.event == "NatureTrip"  # the others were labelled all the same
        # A photo deleted after analysis: the album is rebuilt without it.
        nature = _by_place(catalog, "auto")["nature"]
        victim = catalog.album_photos(nature.id)[0]
        with catalog.write() as db:
            db.execute("UPDATE photos SET status = 'missing' WHERE id = ?", (victim.photo_id,))
        summary = build_albums(catalog, settings, "auto")
        assert summary["albums"] >= 2
        again = catalog.album(nature.id)
        assert again.photo_count == nature.photo_count - 1 and again.event_scores
        with catalog.write() as db:
            db.execute("UPDATE photos SET status = 'ok' WHERE id = ?", (victim.photo_id,))
        assert catalog.album(nature.id).photo_count == nature.photo_count - 1
        build_albums(catalog, settings, "auto")
        assert catalog.album(nature.id).photo_count == nature.photo_count


def test_time_mode_and_folders_mode(analysed):
    settings, _ = analysed
    with Catalog(settings.catalog_path) as catalog:
        build_albums(catalog, settings, "time")
        build_albums(catalog, settings, "folders")
        time_albums = catalog.albums("time")
        # The walk (one outing, 32 minutes) is one event in time mode too.
        assert any(a.photo_count == 9 and a.place == "Arezzo" for a in time_albums)
        folders = _by_place(catalog, "folders")
        assert "nature" in folders and folders["nature"].source == "folder"
        assert catalog.albums("auto")  # the other modes are kept


def test_correction_is_one_action_and_survives_rescans(analysed, library):
    settings, _ = analysed
    with Catalog(settings.catalog_path) as catalog:
        nature = _by_place(catalog, "auto")["nature"]
        correct_event(catalog, nature.id, "Wedding")
        assert catalog.album(nature.id).event == "Wedding"
        assert catalog.album(nature.id).title.startswith("Wedding")
        assert catalog.decisions("event")[-1]["album_id"] == nature.id
        # A new photo in the folder and a rescan: same album, correction kept.
        shutil.copy(library / "DCIM/100NIKON/DSCN0042.jpg", library / "nature/extra.jpg")
        scan(catalog, [str(library)], settings)
        run_stages(catalog, settings, only=["embed", "albums"])
        again = _by_place(catalog, "auto")["nature"]
        assert again.id == nature.id and again.photo_count == nature.photo_count + 1
        assert again.event == "Wedding" and again.model_event == "NatureTrip"
        correct_event(catalog, nature.id, None)
        assert catalog.album(nature.id).event == "NatureTrip"
    (library / "nature/extra.jpg").unlink()


def test_cli_json_contract(analysed, capsys):
    settings, _ = analysed
    assert main(["albums", "--from", "auto", "--json", "--catalog", str(settings.catalog_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["albums"]
    for album in data["albums"]:
        assert {"id", "title", "event", "event_scores", "photos", "event_confidence", "event_evidence", "evidence",
                "days"} <= set(album)
        # Days from real capture dates only; each day's photos are the album's.
        assert {p for d in album["days"] for p in d["photos"]} <= {p["path"] for p in album["photos"]}
        for photo in album["photos"]:
            assert {"path", "importance", "interest"} <= set(photo)
    labelled = [a for a in data["albums"] if a["event"]]
    assert labelled and all(len(a["event_scores"]) == 23 for a in labelled)
    for a in labelled:  # the confidence is the (combined) probability of the album's event
        if a["event_source"] == "model":
            assert a["event_confidence"] == pytest.approx(a["event_scores"][a["event"]], abs=1e-3)
            assert a["evidence"][0]["source"] == "model"
    walk = next(a for a in data["albums"] if a["place"] == "Arezzo")
    assert [d["date"] for d in walk["days"]] == ["2008-10-22"] and "afternoon" in walk["event_evidence"]
    assert all(0 <= p <= 1 for a in labelled for p in a["event_scores"].values())
    # A wrong label is a one-line error, not a traceback.
    assert main(["albums", "--set-event", str(labelled[0]["id"]), "Picnic",
                 "--catalog", str(settings.catalog_path)]) == 1
    assert "unknown event" in capsys.readouterr().err
