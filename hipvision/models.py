"""Pose model management: find the MediaPipe pose landmarker bundle, or download it.

Resolution order (first hit wins):

1. an explicit path (``--model PATH`` / ``ModelSettings.path``);
2. the ``HIPVISION_MODEL`` environment variable (a file);
3. ``models/pose_landmarker_<variant>.task`` in the project folder or the current folder;
4. the user cache: ``$HIPVISION_CACHE``, else ``$XDG_CACHE_HOME/hipvision``, else
   ``~/.cache/hipvision`` (file ``models/pose_landmarker_<variant>.task``);
5. download from Google's MediaPipe model storage into the cache, with a progress bar,
   written to a temporary file, checked (the bundle loads), then renamed into place.

Nothing is downloaded at import time. Offline with no model found, :class:`ModelError`
says exactly which file to put where.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from .config import (
    ENV_CACHE,
    ENV_MODEL,
    ENV_MODEL_URL,
    MODEL_URL_TEMPLATE,
    MODEL_VARIANTS,
    ModelSettings,
)
from .atomicfile import AtomicPath
from .errors import ModelError

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")


def model_filename(variant: str) -> str:
    return f"pose_landmarker_{variant}.task"


def model_url(variant: str) -> str:
    base = os.environ.get(ENV_MODEL_URL)
    if base:
        return base.rstrip("/") + "/" + model_filename(variant)
    return MODEL_URL_TEMPLATE.format(v=variant)


def cache_dir() -> Path:
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "hipvision"


def candidate_paths(variant: str) -> list[Path]:
    """Where a model of ``variant`` is looked for (after --model and the environment)."""
    name = model_filename(variant)
    places = [PROJECT_DIR / "models" / name, Path.cwd() / "models" / name]
    places.append(cache_dir() / "models" / name)
    seen: list[Path] = []
    for p in places:
        if p not in seen:
            seen.append(p)
    return seen


def check_bundle(path: Path, *, load: bool = True) -> None:
    """Raise :class:`ModelError` unless ``path`` is a pose landmarker bundle that loads."""
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            bad = z.testzip()
    except (zipfile.BadZipFile, OSError):
        raise ModelError(
            f"{path} is not a MediaPipe model bundle (.task files are zip archives)"
        ) from None
    if bad is not None:
        raise ModelError(f"{path} is damaged (member {bad} fails its checksum)")
    missing = [m for m in BUNDLE_MEMBERS if m not in names]
    if missing:
        raise ModelError(
            f"{path} is not a pose landmarker model (missing {', '.join(missing)})"
        )
    if load:
        from .pose.mediapipe_backend import check_model_loads

        check_model_loads(path)


def resolve_model(settings: ModelSettings | None = None, *, progress: bool = True) -> Path:
    """Return the path of a usable pose model, downloading it if needed and allowed."""
    settings = settings or ModelSettings()
    variant = settings.variant
    if variant not in MODEL_VARIANTS:
        raise ModelError(f"unknown model variant '{variant}' (choose from {', '.join(MODEL_VARIANTS)})")
    if settings.path:
        p = Path(settings.path).expanduser()
        if p.is_dir():
            raise ModelError(f"--model {p}: is a folder; give the .task file")
        if not p.is_file():
            raise ModelError(f"--model {p}: no such file")
        return p
    env = os.environ.get(ENV_MODEL)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise ModelError(f"{ENV_MODEL}={env}: no such file (unset it or point it at a .task file)")
        return p
    for p in candidate_paths(variant):
        if p.is_file():
            return p
    target = cache_dir() / "models" / model_filename(variant)
    if not settings.allow_download:
        raise ModelError(_not_found_message(variant, target, "downloads are disabled"))
    return download_model(variant, target, timeout_s=settings.download_timeout_s, progress=progress)


def _not_found_message(variant: str, target: Path, why: str) -> str:
    return (
        f"no pose model found and {why}. Get {model_filename(variant)} from "
        f"{MODEL_URL_TEMPLATE.format(v=variant)} and put it at {target} "
        f"(or in {PROJECT_DIR / 'models'}), or set {ENV_MODEL}=/path/to/model.task, "
        "or pass --model PATH"
    )


def download_model(
    variant: str, target: Path, *, timeout_s: float = 30.0, progress: bool = True
) -> Path:
    """Download the official model to ``target`` atomically and check that it loads."""
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    url = model_url(variant)
    with AtomicPath(target) as tmp:
        try:
            with open(tmp, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
                total = int(resp.headers.get("Content-Length") or 0) or None
                with tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc=f"downloading {model_filename(variant)}",
                    disable=not progress,
                ) as bar:
                    while chunk := resp.read(1 << 16):
                        out.write(chunk)
                        bar.update(len(chunk))
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise ModelError(
                _not_found_message(variant, target, f"the download from {url} failed ({reason})")
            ) from None
        try:
            check_bundle(tmp)
        except ModelError as e:
            raise ModelError(f"downloaded model from {url} is unusable: {e}") from None
    return target
