"""Batch mode: folder and manifest input, fault isolation, collision-free outputs, summary
files, resume after SIGKILL, --reuse-pose, settings changes, a dying worker, Dask.

The clips are synthetic pose CSVs with known answers (hipvision.synthetic) and the bundled
samples; a real video from ../shared/media is used where available (skipped otherwise).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hipvision import api, cli
from hipvision.batch import run_batch
from hipvision.batch.engines import LocalEngine
from hipvision.batch.job import ClipJob, ClipResult, run_clip
from hipvision.batch.layout import clip_paths
from hipvision.posecsv import write_pose_csv
from hipvision.synthetic import Move, Rep, default_camera, rotation_clip, screening_clip

from shared_paths import MEDIA, find_model

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def seated(seed: int, ir: float, er: float):
    seq, _ = rotation_clip(
        "seated",
        [Move("both", ir), Move("both", -er)],
        camera=default_camera("seated", roll_deg=2.0),
        noise_px=1.0,
        seed=seed,
    )
    return seq


def read_summary(out: Path) -> list[dict[str, str]]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def without_runtime(rows):
    return [{k: v for k, v in r.items() if k != "runtime_s"} for r in rows]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Good pose CSVs (two with the same file name in different folders), a corrupt video,
    a text file posing as a video, a CSV that is not a pose CSV and a file to ignore."""
    d = tmp_path_factory.mktemp("clips")
    (d / "p01").mkdir()
    (d / "p02" / "deep").mkdir(parents=True)
    write_pose_csv(seated(1, 35, 45), d / "p01" / "take.pose.csv")
    write_pose_csv(seated(2, 25, 50), d / "p02" / "deep" / "take.pose.csv")
    (d / "p02" / "seated_sample.pose.csv").write_bytes((SAMPLES / "seated_rotation.pose.csv").read_bytes())
    (d / "corrupt.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(3000))
    (d / "text.mov").write_text("this is not a video\n")
    (d / "notes.csv").write_text("participant,comment\n1,fine\n")
    (d / "README.txt").write_text("not a clip\n")
    return d


FIRST_SUMMARY: list[dict[str, str]] = []


@pytest.fixture(scope="module")
def folder_run(folder, tmp_path_factory) -> Path:
    if find_model() is None:  # the folder holds (broken) videos: a batch resolves the model first
        pytest.skip("needs the pose model (HIPVISION_MODEL or ../shared/models): the folder holds videos")
    out = tmp_path_factory.mktemp("out") / "batch"
    assert cli.main(["batch", str(folder), "--out", str(out), "--test", "seated", "--workers", "2", "-q"]) == 0
    FIRST_SUMMARY[:] = read_summary(out)  # later tests re-analyse this OUT with other settings
    return out


def test_folder_batch_isolates_bad_clips(folder, folder_run) -> None:
    rows = {r["path"]: r for r in read_summary(folder_run)}
    assert set(rows) == {
        "p01/take.pose.csv", "p02/deep/take.pose.csv", "p02/seated_sample.pose.csv",
        "corrupt.mp4", "text.mov", "notes.csv",
    }  # README.txt ignored, nothing from OUT
    for p in ("p01/take.pose.csv", "p02/deep/take.pose.csv", "p02/seated_sample.pose.csv"):
        assert rows[p]["status"] == "ok" and rows[p]["error"] == ""
    for p, words in (("corrupt.mp4", "not a readable video"), ("text.mov", "not a readable video"), ("notes.csv", "missing required column")):
        assert rows[p]["status"] == "error" and words in rows[p]["error"], rows[p]
        assert rows[p]["left_peak_ir_deg"] == ""
    # known answers: the synthetic clips' peaks, and the sample's documented ones
    assert abs(float(rows["p01/take.pose.csv"]["left_peak_ir_deg"]) - 35) < 3
    assert abs(float(rows["p02/deep/take.pose.csv"]["right_peak_er_deg"]) - 50) < 3
    assert abs(float(rows["p02/seated_sample.pose.csv"]["left_peak_ir_deg"]) - 36) < 3
    # the same numbers as a direct analysis
    direct = api.analyze(folder / "p02" / "seated_sample.pose.csv", "seated")
    assert float(rows["p02/seated_sample.pose.csv"]["right_peak_er_deg"]) == direct["sides"]["right"]["peak_er_deg"]
    # provenance columns
    ok = rows["p01/take.pose.csv"]
    assert ok["hipvision_version"] and len(ok["settings_sha256"]) == 16 and float(ok["runtime_s"]) > 0
    assert rows["corrupt.mp4"]["model_sha256"] and rows["corrupt.mp4"]["model_variant"] == "full"


def test_same_file_name_in_two_folders_does_not_collide(folder_run) -> None:
    reports = sorted((folder_run / "clips").glob("*/seated/report.json"))
    assert len(reports) == 3
    sources = {json.loads(p.read_text())["source"] for p in reports}
    assert sources == {"p01/take.pose.csv", "p02/deep/take.pose.csv", "p02/seated_sample.pose.csv"}
    peaks = {json.loads(p.read_text())["sides"]["left"]["peak_ir_deg"] for p in reports}
    assert len(peaks) == 3
    for p in reports:
        assert (p.parent / "pose.csv").is_file()


def test_parquet_matches_csv(folder_run) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(folder_run / "summary.parquet")
    rows = read_summary(folder_run)
    assert table.column_names == list(rows[0])
    assert table.column("path").to_pylist() == [r["path"] for r in rows]
    assert str(table.schema.field("left_peak_ir_deg").type) == "double"
    for got, r in zip(table.column("left_peak_ir_deg").to_pylist(), rows):
        assert (got is None and r["left_peak_ir_deg"] == "") or got == float(r["left_peak_ir_deg"])


def test_reuse_pose_equals_original_and_changed_settings_need_it(folder, folder_run, capsys) -> None:
    before = without_runtime(read_summary(folder_run))
    base = ["batch", str(folder), "--out", str(folder_run), "--test", "seated", "--workers", "1", "-q"]
    assert cli.main(base + ["--reuse-pose"]) == 0
    assert without_runtime(read_summary(folder_run)) == before
    # changed analysis settings are refused without --reuse-pose
    capsys.readouterr()
    assert cli.main(base + ["--mirrored"]) == 1
    assert "--reuse-pose" in capsys.readouterr().err
    # changed pose settings are refused (a new OUT or --force)
    assert cli.main(base + ["--max-frames", "10"]) == 1
    assert "--force" in capsys.readouterr().err
    # with --reuse-pose the new setting applies (mirrored swaps the sides)
    assert cli.main(base + ["--reuse-pose", "--mirrored"]) == 0
    after = {r["path"]: r for r in read_summary(folder_run)}
    orig = {r["path"]: r for r in before}
    p = "p02/seated_sample.pose.csv"
    assert after[p]["status"] == "ok"
    assert after[p]["left_peak_ir_deg"] != orig[p]["left_peak_ir_deg"]
    assert len(after) == len(orig)


def test_manifest_id_columns_and_mixed_tests(tmp_path) -> None:
    data = tmp_path / "study"
    (data / "raw").mkdir(parents=True)
    write_pose_csv(seated(3, 30, 40), data / "raw" / "s1.pose.csv")
    sq, truth = screening_clip("squat", [Rep(depth=0.9, valgus_left_m=0.08) for _ in range(3)], noise_px=1.0, seed=4)
    write_pose_csv(sq, data / "raw" / "sq.pose.csv")
    (data / "raw" / "prone.pose.csv").write_bytes((SAMPLES / "prone_rotation.pose.csv").read_bytes())
    manifest = data / "manifest.csv"
    manifest.write_text(
        "participant,path,test,session,side\n"
        "007,raw/s1.pose.csv,seated,pre,both\n"
        "007,raw/sq.pose.csv,squat,pre,\n"
        "012,raw/prone.pose.csv,,post,both\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = run_batch(manifest, out, test="prone", workers=1, progress=False)
    assert (res.total, res.ok, res.errors) == (3, 3, 0)
    rows = read_summary(out)
    assert list(rows[0])[:7] == ["path", "test", "status", "error", "participant", "session", "side"]
    assert [(r["participant"], r["session"], r["side"], r["test"]) for r in rows] == [
        ("007", "pre", "both", "seated"), ("007", "pre", "", "squat"), ("012", "post", "both", "prone"),
    ]
    sq_row = rows[1]
    assert int(sq_row["reps"]) == 3 and int(sq_row["left_valgus_reps"]) == 3 and int(sq_row["right_valgus_reps"]) == 0
    assert abs(float(sq_row["left_worst_fppa_deg"]) - truth.fppa[0]["left"]) < 3
    import pyarrow.parquet as pq

    t = pq.read_table(out / "summary.parquet")
    assert t.column("participant").to_pylist() == ["007", "007", "012"]  # ids stay text


@pytest.mark.parametrize(
    "text,words",
    [
        ("file,test\nx.pose.csv,seated\n", "line 1: no 'path' column"),
        ("path,test\nmissing.pose.csv,seated\n", "line 2: missing.pose.csv: no such file"),
        ("path,test\nok.pose.csv,seated\nok.pose.csv,jumping\n", "line 3: unknown test 'jumping'"),
        ("path,test\nok.pose.csv,seated\nok.pose.csv,seated\n", "line 3: ok.pose.csv for 'seated' is listed twice (also line 2)"),
        ("path,test\nok.pose.csv\n", "line 2: 1 values, the header has 2"),
        ("path\nok.pose.csv\n", "line 2: no test"),
        ("path,test,status\nok.pose.csv,seated,x\n", "line 1: column name(s) status are used by the summary"),
    ],
)
def test_bad_manifest_names_the_line(tmp_path, capsys, text, words) -> None:
    (tmp_path / "ok.pose.csv").write_bytes((SAMPLES / "seated_rotation.pose.csv").read_bytes())
    (tmp_path / "m.csv").write_text(text)
    assert cli.main(["batch", str(tmp_path / "m.csv"), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hipvision: error: ") and words in err, err
    assert not (tmp_path / "out").exists()


def _states(db: Path) -> dict[str, tuple[str, int]]:
    if not db.exists():
        return {}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return {k: (s, n) for k, s, n in con.execute("SELECT key, status, runs FROM clips")}
        finally:
            con.close()
    except sqlite3.OperationalError:  # the schema is being created
        return {}


def test_sigkill_then_resume(tmp_path) -> None:
    """Kill -9 the batch once the first clip is recorded; the rerun finishes the rest,
    redoes none of the finished ones, and the summary has one row per clip."""
    src = tmp_path / "in"
    src.mkdir()
    n = 8
    for i in range(n):
        write_pose_csv(seated(10 + i, 25 + 2 * i, 40), src / f"c{i}.pose.csv")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hipvision", "batch", str(src), "--out", str(out), "--test", "seated", "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    db = out / "batch.sqlite3"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if any(s != "pending" for s, _ in _states(db).values()):
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        else:
            pytest.fail("no clip finished in time")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    first = _states(db)
    done = {k for k, (s, _) in first.items() if s == "ok"}
    assert 1 <= len(done) < n, first
    assert not (out / "summary.csv").exists()  # the killed run never got to write it
    done_reports = [clip_paths(out, "clips", k.split("\n")[0], "seated").report for k in done]
    mtimes = {p: p.stat().st_mtime_ns for p in done_reports}
    time.sleep(0.05)
    assert cli.main(cmd[3:]) == 0
    final = _states(db)
    assert len(final) == n and all(s == "ok" for s, _ in final.values())
    assert all(runs == 1 for _, runs in final.values())  # nothing recorded twice
    assert {p: p.stat().st_mtime_ns for p in done_reports} == mtimes  # finished clips not redone
    rows = read_summary(out)
    assert sorted(r["path"] for r in rows) == sorted(f"c{i}.pose.csv" for i in range(n))  # no loss, no duplicates
    assert all(r["status"] == "ok" for r in rows)


def die_on_second(job: ClipJob) -> ClipResult:
    """A per-clip function whose worker process dies on one clip (as on a crash or OOM)."""
    if job.path.endswith("c1.pose.csv"):
        os._exit(3)
    return run_clip(job)


def test_a_dying_worker_only_fails_its_clip(tmp_path) -> None:
    from hipvision.config import DEFAULT_SETTINGS

    jobs = []
    for i in range(3):
        f = tmp_path / f"c{i}.pose.csv"
        f.write_bytes((SAMPLES / "seated_rotation.pose.csv").read_bytes())
        jobs.append(ClipJob(f"k{i}", f.name, str(f), "seated", str(tmp_path / f"o{i}"), DEFAULT_SETTINGS))
    results: dict[str, ClipResult] = {}
    LocalEngine(2, fn=die_on_second).run(jobs, lambda r: results.__setitem__(r.key, r))
    assert sorted(results) == ["k0", "k1", "k2"]
    assert results["k1"].status == "error" and "worker process died" in results["k1"].error
    assert all(results[k].status == "ok" for k in ("k0", "k2"))


def test_dask_engine_gives_the_local_summary(folder, folder_run, tmp_path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "dask"
    res = run_batch(folder, out, test="seated", engine="dask", workers=2, dask_processes=False, progress=False)
    assert (res.total, res.ok) == (6, 3)
    assert without_runtime(read_summary(out)) == without_runtime(FIRST_SUMMARY)


def test_dask_engine_without_dask_is_a_clear_error(folder, tmp_path, monkeypatch, capsys) -> None:
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *a, **k):
        if name.startswith("dask"):
            raise ImportError("No module named 'dask'")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    assert cli.main(["batch", str(folder), "--out", str(tmp_path / "o"), "--test", "seated", "--engine", "dask", "-q"]) == 1
    assert "pip install 'hipvision[dask]'" in capsys.readouterr().err


@pytest.mark.media
@pytest.mark.model
def test_real_video_batch_with_annotated_video_and_reuse_without_model(tmp_path) -> None:
    clip = MEDIA / "squat_front_bodyweight_wide_goodform_01.mp4"
    model = find_model()
    if not clip.is_file() or model is None:
        pytest.skip("needs ../shared/media and the pose model")
    src = tmp_path / "in"
    src.mkdir()
    os.symlink(clip, src / "squat.mp4")
    (src / "broken.mp4").write_bytes(clip.read_bytes()[: 40_000])  # truncated
    import numpy as np

    from hipvision.videowriter import H264Writer

    with H264Writer(src / "nobody.mp4", 320, 240, 25.0, 23) as w:  # a clip with no person
        for i in range(20):
            w.write(np.full((240, 320, 3), 40, np.uint8), i / 25)
    out = tmp_path / "out"
    args = ["batch", str(src), "--out", str(out), "--test", "squat", "--workers", "2", "--max-frames", "40", "-q"]
    assert cli.main(args + ["--save-video", "--trc", "--model", str(model)]) == 0
    rows = {r["path"]: r for r in read_summary(out)}
    assert rows["broken.mp4"]["status"] == "error"
    assert rows["nobody.mp4"]["status"] == "error" and "no person" in rows["nobody.mp4"]["error"], rows["nobody.mp4"]
    r = rows["squat.mp4"]
    assert r["frames"] == "40" and r["model_variant"] == "full" and len(r["model_sha256"]) == 64
    folder = next(out.glob("clips/squat.mp4__*/squat"))
    for name in ("pose.csv", "report.json", "annotated.mp4", "landmarks.trc"):
        assert (folder / name).stat().st_size > 0, name
    # failed clips leave no video; the clip where nobody was seen keeps its (empty) pose
    for bad in ("broken", "nobody"):
        assert not list(out.glob(f"clips/{bad}.mp4__*/squat/annotated.mp4")), bad
    (nobody_pose,) = out.glob("clips/nobody.mp4__*/squat/pose.csv")
    assert len(nobody_pose.read_text().splitlines()) == 1  # the header: a rerun does not run the model again
    trc = (folder / "landmarks.trc").read_text().splitlines()
    assert trc[0].startswith("PathFileType") and len(trc) == 6 + 40
    before = without_runtime(read_summary(out))
    # --reuse-pose never needs the model
    env_model = os.environ.pop("HIPVISION_MODEL", None)
    try:
        assert cli.main(["batch", str(src), "--out", str(out), "--test", "squat", "--workers", "1", "--max-frames", "40", "-q", "--reuse-pose", "--model", str(tmp_path / "nope.task")]) == 0
    finally:
        if env_model is not None:
            os.environ["HIPVISION_MODEL"] = env_model
    after = without_runtime(read_summary(out))
    assert [a for a in after if a["path"] == "squat.mp4"] == [b for b in before if b["path"] == "squat.mp4"]
    assert {a["path"]: a["error"] for a in after} == {b["path"]: b["error"] for b in before}


def test_empty_folder_and_bad_out_are_clear_errors(tmp_path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert cli.main(["batch", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), "--test", "seated", "-q"]) == 1
    assert "no videos or pose CSVs found" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pose.csv").write_bytes((SAMPLES / "seated_rotation.pose.csv").read_bytes())
    assert cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "file"), "--test", "seated", "-q"]) == 1
    assert "is a file" in capsys.readouterr().err
    assert cli.main(["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--test", "jumping", "-q"]) == 1
    assert "unknown test 'jumping'" in capsys.readouterr().err


def test_one_batch_per_out_folder(tmp_path, capsys) -> None:
    import fcntl

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pose.csv").write_bytes((SAMPLES / "seated_rotation.pose.csv").read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "batch.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running batch holds it
        assert cli.main(["batch", str(tmp_path / "in"), "--out", str(out), "--test", "seated", "-q"]) == 1
    assert "another hipvision batch is working in this folder" in capsys.readouterr().err


def test_local_engine_imports_nothing_from_dask() -> None:
    code = (
        "import sys, hipvision.cli, hipvision.batch.runner as r\n"
        "r._engine('local', 1, None, 1, True)\n"
        "hipvision.cli.build_parser()\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')], 'dask imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_setting_a_report_depends_on_is_in_the_analysis_fingerprint() -> None:
    """Changed error-band settings change the reports (flags, borderline), so a batch rerun
    must redo the analysis: they are part of the fingerprint like the analysis settings."""
    from dataclasses import replace

    from hipvision.batch.runner import analysis_settings
    from hipvision.config import DEFAULT_SETTINGS

    base = analysis_settings(DEFAULT_SETTINGS)
    bands = DEFAULT_SETTINGS.bands
    changed = replace(DEFAULT_SETTINGS, bands=replace(bands, doubtful_deg_per_pct=bands.doubtful_deg_per_pct + 1.0))
    assert analysis_settings(changed) != base
    assert analysis_settings(replace(DEFAULT_SETTINGS)) == base


# --------------------------------------------------------------------------- the annotated video in the same pass


def _decoded(path: Path) -> list:
    from hipvision.sources import open_source

    return [f.image for f in open_source(str(path))]


def _spy_overlay(monkeypatch) -> list[int]:
    """The frames drawn with the analysis overlay (``analyzers.overlay``, the report's own)."""
    from hipvision import analyzers

    drawn: list[int] = []
    real = analyzers.overlay

    def overlay(run):
        draw = real(run)

        def spy(image, frame):
            drawn.append(frame)
            return draw(image, frame)

        return spy

    monkeypatch.setattr(analyzers, "overlay", overlay)
    return drawn


def _diff(a, b, mask) -> float:
    import numpy as np

    return float(np.abs(a.astype(np.int16) - b.astype(np.int16))[mask].mean())


@pytest.mark.media
@pytest.mark.model
def test_batch_video_is_written_in_the_pose_pass(tmp_path, monkeypatch) -> None:
    """--save-video: one decode and one model call per frame for the pose, the report and
    the video (as ``analyze --save-video``); every frame carries the report's overlay and the
    last two seconds its end card. A rerun from the stored pose redraws it without the model."""
    from dataclasses import replace

    import numpy as np

    from hipvision import analyzers
    from hipvision.batch.layout import ClipPaths
    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.pipeline import draw_card
    from hipvision.posecsv import read_pose_csv

    from passes import count_passes

    clip = MEDIA / "squat_front_bodyweight_wide_goodform_01.mp4"
    model = find_model()
    if not clip.is_file() or model is None:
        pytest.skip("needs ../shared/media and the pose model")
    n = 72  # 3 s at 24 fps: the end card is on the last 2 s only
    settings = replace(DEFAULT_SETTINGS, model=replace(DEFAULT_SETTINGS.model, path=str(model)),
                       source=replace(DEFAULT_SETTINGS.source, max_frames=n))
    drawn = _spy_overlay(monkeypatch)
    passes = count_passes(monkeypatch)
    paths = ClipPaths(tmp_path / "out")
    job = ClipJob("k", "in/squat.mp4", str(clip), "squat", str(paths.folder), settings, save_video=True)
    res = run_clip(job)
    assert res.status == "ok", res.error
    assert len(passes.decodes) == 1  # no second decode for the video
    assert len(passes.backends) == 1 and passes.model_calls == n == res.frames_extracted
    report = json.loads(paths.report.read_text())
    assert report["source"] == "in/squat.mp4" and res.columns["frames"] == n
    assert len(read_pose_csv(paths.pose_csv)) == n
    assert sorted(drawn) == list(range(n))  # every frame held back and drawn with the overlay
    video, source = _decoded(paths.video), _decoded(clip)[:n]
    assert len(video) == n
    card = analyzers.get("squat").summary_text(report).splitlines()
    assert card
    with_card = draw_card(source[-1], card)
    mask = np.abs(with_card.astype(np.int16) - source[-1].astype(np.int16)).max(axis=2) > 60
    assert mask.sum() > 1000
    # the last frame shows the report's end card, the first (3 s before the end) does not
    assert _diff(video[-1], with_card, mask) < _diff(video[-1], source[-1], mask) / 3
    assert _diff(video[0], source[0], mask) < _diff(video[0], draw_card(source[0], card), mask) / 3

    # a rerun (as after a kill before the clip was recorded): the stored pose, no model
    passes.reset()
    drawn.clear()
    paths.video.unlink()
    again = run_clip(job)
    assert again.status == "ok", again.error
    assert passes.backends == [] and again.frames_extracted == 0
    assert len(passes.decodes) == 1  # the video redrawn from the stored pose
    assert len(_decoded(paths.video)) == n and sorted(drawn) == list(range(n))
    assert again.columns == res.columns


def _markers_clip(tmp_path: Path) -> Path:
    from hipvision.tracking.synthetic_frames import write_rotation_video

    clip = tmp_path / "markers.mp4"
    write_rotation_video(clip, "prone", [Move("both", 30, ramp_s=0.6, hold_s=1.5, rest_s=0.5)], seed=5)
    return clip


def test_batch_tracked_video_is_written_in_the_tracking_pass(tmp_path, monkeypatch) -> None:
    """A tracked rotation clip with --save-video: the sticker tracker's one pass feeds the
    video; the report, the stored pose and tracking.json are those of the run without video."""
    from hipvision.batch.layout import ClipPaths
    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.posecsv import read_pose_csv

    from passes import count_passes

    clip = _markers_clip(tmp_path)
    plain = run_clip(ClipJob("k", "markers.mp4", str(clip), "prone", str(tmp_path / "plain"), DEFAULT_SETTINGS, track="markers"))
    assert plain.status == "ok", plain.error
    drawn = _spy_overlay(monkeypatch)
    passes = count_passes(monkeypatch)
    paths = ClipPaths(tmp_path / "video")
    res = run_clip(ClipJob("k", "markers.mp4", str(clip), "prone", str(paths.folder), DEFAULT_SETTINGS,
                           save_video=True, track="markers"))
    assert res.status == "ok", res.error
    assert len(passes.decodes) == 1 and passes.backends == []
    tracking = json.loads(paths.tracking.read_text())
    assert tracking["mode"] == "markers" and res.frames_extracted == tracking["frames"]
    assert len(_decoded(paths.video)) == tracking["frames"] == len(drawn)
    assert res.columns == plain.columns
    assert json.loads(paths.report.read_text())["tracking"]["mode"] == "markers"
    before = ClipPaths(tmp_path / "plain")
    assert paths.pose_csv.read_text() == before.pose_csv.read_text()
    assert len(read_pose_csv(paths.pose_csv)) > 0


def test_batch_failed_analysis_keeps_the_pose_and_leaves_no_video(tmp_path, monkeypatch) -> None:
    """The analysis fails after the tracking pass: an error row, no report, no video, but
    the pose and how it was tracked are kept, so the rerun does not track again (its one
    decode draws the video)."""
    from hipvision import analyzers
    from hipvision.batch.layout import ClipPaths
    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.errors import AnalysisError

    from passes import count_passes

    clip = _markers_clip(tmp_path)
    paths = ClipPaths(tmp_path / "out")
    job = ClipJob("k", "markers.mp4", str(clip), "prone", str(paths.folder), DEFAULT_SETTINGS, save_video=True, track="markers")
    prone = analyzers.get("prone")
    with monkeypatch.context() as m:

        def refuse(seq, settings):
            raise AnalysisError("the analysis refused this clip")

        m.setattr(prone, "run", refuse)
        res = run_clip(job)
    assert res.status == "error" and res.error == "the analysis refused this clip"
    assert sorted(p.name for p in paths.folder.iterdir()) == ["pose.csv", "tracking.json"]
    passes = count_passes(monkeypatch)
    again = run_clip(job)
    assert again.status == "ok", again.error
    assert again.frames_extracted == 0 and len(passes.decodes) == 1
    assert sorted(p.name for p in paths.folder.iterdir()) == ["annotated.mp4", "pose.csv", "report.json", "tracking.json"]
    assert json.loads(paths.report.read_text())["tracking"]["mode"] == "markers"
