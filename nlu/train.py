"""Train the Rasa NLU model into `nlu/models/` when it is missing or stale (stdlib only).

Stale means: the training data (`nlu/data/`), the pipeline (`nlu/config.yml`), the custom component
code or the pinned Rasa environment changed since the model was trained. This is decided by a
content hash kept beside the model (`nlu/models/.stamp-model`), not by file times, which a fresh
clone resets. Training runs offline (nothing is downloaded) in the NLU environment.

    python3 -m nlu.train            # train if needed
    python3 -m nlu.train --force    # train anyway
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from nlu import paths

__all__ = ["inputs_hash", "main", "needs_training", "train", "train_config"]


def _inputs(config: Path) -> list[Path]:
    files = sorted(p for p in paths.DATA_DIR.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    return files + [config, *paths.COMPONENT_CODE, paths.LOCK]


def inputs_hash(config: Path = paths.CONFIG) -> str:
    """SHA-256 over the names and contents of everything the model is trained from."""
    digest = hashlib.sha256()
    for path in _inputs(config):
        digest.update(str(path.relative_to(paths.REPO)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def needs_training() -> bool:
    """True when the model is missing or was trained from other inputs than the current ones."""
    if not paths.MODEL.exists() or not paths.MODEL_STAMP.exists():
        return True
    return paths.MODEL_STAMP.read_text().strip() != inputs_hash()


def ensure_env() -> None:
    """Create or update the NLU environment (idempotent; fast when the lock is unchanged)."""
    if paths.rasa_executable().exists() and _env_is_overridden():
        return
    subprocess.run(["bash", str(paths.SETUP_SCRIPT)], check=True)


def _env_is_overridden() -> bool:
    return paths.venv_dir() != paths.REPO / ".venv-nlu"


def train_config(config: Path, out_dir: Path, name: str) -> Path:
    """Train `config` on `nlu/data/` into `out_dir/name.tar.gz` and return that path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(paths.rasa_executable()),
        "train",
        "nlu",
        "--quiet",
        "--config",
        str(config),
        "--nlu",
        str(paths.DATA_DIR),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    with tempfile.TemporaryDirectory(prefix="tawasul-train-") as cwd:  # Rasa writes .rasa/ into cwd
        # Rasa and TensorFlow are noisy: keep their output unless training fails.
        done = subprocess.run(
            command,
            check=False,
            cwd=cwd,
            env=paths.rasa_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    if done.returncode != 0:
        sys.stderr.write("\n".join(done.stdout.splitlines()[-60:]) + "\n")
        raise subprocess.CalledProcessError(done.returncode, command)
    return out_dir / f"{name}.tar.gz"


def train(force: bool = False) -> bool:
    """Train the project model if needed (or `force`). Returns True when it trained."""
    if not force and not needs_training():
        return False
    ensure_env()
    digest = inputs_hash()
    train_config(paths.CONFIG, paths.MODELS_DIR, paths.MODEL_NAME)
    paths.MODEL_STAMP.write_text(digest + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tawasul nlu train", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="train even when the model is current")
    args = parser.parse_args(argv)
    trained = train(force=args.force)
    print(f"NLU model {'trained' if trained else 'is up to date'}: {paths.MODEL.relative_to(paths.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
