#!/bin/bash
# Usage: tests/bench/story_with_videos.sh [WORK_DIR]  (needs ../shared/photos; writes only in WORK_DIR)
# Prints the story video's streams (ffmpeg -i); WORK_DIR/story.mp4, videos.json, albums.json, plan.json stay.
# A story of an album with photos and videos: the GPS walk (9 real photos)
# plus two videos made from other real photos, dated inside the walk.
set -e
D=$(realpath -m "${1:-$(mktemp -d)}"); mkdir -p "$D/lib"
cd "$(dirname "$0")/../.."
cp ../shared/photos/exif/jpg/gps/*.jpg $D/lib/
PO=".venv/bin/photoorg --catalog $D/cat.sqlite"
$PO scan $D/lib --json > $D/scan.json
START=$(.venv/bin/python -c "
from photoorg.engine.catalog import Catalog
c=Catalog('$D/cat.sqlite'); import datetime
lo,hi=c.query('SELECT min(capture_ts),max(capture_ts) FROM photos')[0]
print(datetime.datetime.utcfromtimestamp((lo+hi)/2).strftime('%Y-%m-%dT%H:%M:%SZ'))")
echo "walk middle: $START"
.venv/bin/python - <<PY
from photoorg.engine.video.synthetic_clips import Shot, make_clip
N='../shared/photos/immich/albums/nature/'
make_clip([Shot(N+'el_torcal_rocks.jpg', 4.0, 'shake'), Shot(N+'cyclamen_persicum.jpg', 5.0), Shot(N+'notocactus_minimus.jpg', 4.0, 'dark')],
          '$D/lib/VID_walk_1.mp4', size=(1280, 720), fps=30, creation_time='$START', location='+43.4633+011.8796/', audio=True)
import glob
others=sorted(glob.glob(N+'*.jpg'))[3:6]
make_clip([Shot(others[0], 3.0, 'blur'), Shot(others[1], 5.0), Shot(others[2], 3.0, 'static')],
          '$D/lib/VID_walk_2.mp4', size=(720, 1280), fps=30, creation_time='$START', rotate=90)
PY
$PO scan $D/lib --json > $D/scan2.json
nice -n 5 $PO analyze --json > $D/analyze.json
$PO videos --json > $D/videos.json
$PO albums --json > $D/albums.json
ALBUM=$(.venv/bin/python -c "import json; a=json.load(open('$D/albums.json')); a=a['albums'] if isinstance(a,dict) else a; print(a[0]['id'])")
FF=$(.venv/bin/python -c "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())")
$FF -hide_banner -loglevel error -y -f lavfi -i "sine=frequency=220:duration=60" -c:a libmp3lame $D/music.mp3 || $FF -hide_banner -loglevel error -y -f lavfi -i "sine=frequency=220:duration=60" $D/music.wav
MUSIC=$(ls $D/music.* | head -1)
$PO export-story $ALBUM --out $D/story.mp4 --music $MUSIC --video-sound under-music --size 1280x720 --json > $D/story.json
$PO export-story $ALBUM --out $D/story.mp4 --plan-only --json > $D/plan.json
$FF -hide_banner -i $D/story.mp4 2>&1 | grep -E "Duration|Stream" || true
