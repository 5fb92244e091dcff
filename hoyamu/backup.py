"""`hoyamu backup` / `hoyamu restore FOLDER`: the database, the training pairs and the model pointers.

A backup is a timestamped folder under data/backups/:

    hoyamu.db          SQLite: a consistent copy made with SQLite's online backup API, safe
                       while the bot is writing (readers and writers are not stopped)
    hoyamu.dump        PostgreSQL: `pg_dump --format=custom` (pg_dump must be installed)
    text_pairs.json    the hand-written seed pairs, copied under the file's lock (never half-written)
    feedback_pairs.json  the folded verified feedback, when there is any, the same way
    models/CURRENT     the serving model's name (and PREVIOUS, CANDIDATE when they exist)
    manifest.json      what is inside, with sizes and SHA-256 checksums

The model folders themselves are not copied (they are large and can be retrained from
the pairs); restoring a pointer to a model that is not on disk is refused. The FAISS index
is a cache: after a restore it no longer matches the database, so the next start rebuilds it.
Restore with the bot stopped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from hoyamu.settings import Settings
from storage.files import file_lock, write_atomic

POINTERS = ("CURRENT", "PREVIOUS", "CANDIDATE")
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot even while others write."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, or the newest Debian PostgreSQL's."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the libpq tools; the password goes in the environment only."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
            "--dbname", url.database or "postgres"]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        # pg tools never print the password; the stderr is safe to show
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-500:]}")


def _new_folder(root: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        folder = root / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise BackupError(f"cannot make a backup folder in {root}")


def _pairs_files(settings: Settings) -> list[tuple[Path, str]]:
    """The training pairs a backup keeps: the seed pairs and the folded feedback pairs."""
    return [(Path(settings.text_pairs_path), "text_pairs.json"),
            (Path(settings.feedback_pairs_path), "feedback_pairs.json")]


def backup(settings: Settings, root: Path | None = None) -> Path:
    """Write a backup folder; returns it. Safe while the bot runs."""
    root = Path(root) if root else Path(settings.data_dir) / "backups"
    url = make_url(settings.database_url)
    folder = _new_folder(root)
    try:
        files: dict[str, dict] = {}
        backend = url.get_backend_name()
        if backend == "sqlite":
            source = _sqlite_path(url)
            if not source.exists():
                raise BackupError(f"no database at {source}")
            _sqlite_copy(source, folder / "hoyamu.db")
            database = "hoyamu.db"
        elif backend == "postgresql":
            args, env = _pg_args(url)
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file",
                  str(folder / "hoyamu.dump"), *args], env)
            database = "hoyamu.dump"
        else:
            raise BackupError(f"backing up {backend} databases is not supported")
        files[database] = {}

        for pairs, name in _pairs_files(settings):
            if pairs.exists():
                with file_lock(pairs):
                    shutil.copyfile(pairs, folder / name)
                files[name] = {}

        models = Path(settings.models_dir)
        (folder / "models").mkdir()
        with file_lock(models / "CURRENT"):
            for name in POINTERS:
                if (models / name).exists():
                    shutil.copyfile(models / name, folder / "models" / name)
                    files[f"models/{name}"] = {}
        for name in files:
            files[name] = {"bytes": (folder / name).stat().st_size,
                           "sha256": _sha256(folder / name)}
        current = folder / "models" / "CURRENT"
        manifest = {
            "format": FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": backend, "files": files,
            "model": current.read_text().strip() if current.exists() else None,
        }
        write_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half backup behind
        raise
    return folder


def read_manifest(folder: Path) -> dict:
    """The manifest, after checking every file against its checksum."""
    path = Path(folder) / "manifest.json"
    if not path.exists():
        raise BackupError(f"{folder} is not a Hoyamu backup (no manifest.json)")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, info in manifest["files"].items():
        file = Path(folder) / name
        if not file.exists() or _sha256(file) != info["sha256"]:
            raise BackupError(f"{name} in {folder} is missing or damaged")
    return manifest


def restore(settings: Settings, folder: Path) -> dict:
    """Bring a backup back: database, text_pairs.json, model pointers. Run with the bot stopped.

    Everything is checked before anything is changed."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    url = make_url(settings.database_url)
    backend = url.get_backend_name()
    if manifest["database"] != backend:
        raise BackupError(f"the backup is of a {manifest['database']} database; DATABASE_URL "
                          f"is {backend}")
    models = Path(settings.models_dir)
    for name in POINTERS:
        saved = folder / "models" / name
        if saved.exists():
            version = saved.read_text().strip()
            if not (models / version / "modules.json").exists() and version != _base_name(settings):
                raise BackupError(f"the backup's {name} names model {version!r}, which is not in "
                                  f"{models}; copy that model folder back first")

    if backend == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(folder / "hoyamu.db", target)  # page by page, in one transaction
    else:
        args, env = _pg_args(url)
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", *args, str(folder / "hoyamu.dump")], env)

    for pairs, name in _pairs_files(settings):
        if (folder / name).exists():
            pairs.parent.mkdir(parents=True, exist_ok=True)
            with file_lock(pairs):
                write_atomic(pairs, (folder / name).read_text(encoding="utf-8"))

    models.mkdir(parents=True, exist_ok=True)
    with file_lock(models / "CURRENT"):
        for name in POINTERS:
            saved = folder / "models" / name
            if saved.exists():
                write_atomic(models / name, saved.read_text())
            else:
                (models / name).unlink(missing_ok=True)
    return manifest


def _base_name(settings: Settings) -> str:
    from matcher.convert import BASE_VERSION

    return BASE_VERSION if settings.base_model == "bundled" else Path(settings.base_model).name
