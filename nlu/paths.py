"""Where the NLU's files and its Python 3.10 environment live (stdlib only).

`TAWASUL_NLU_VENV` overrides the environment's location (default `.venv-nlu/` at the repo root),
`TAWASUL_NLU_MODEL` the model file served (default `nlu/models/tawasul.tar.gz`).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NLU_DIR = REPO / "nlu"
DATA_DIR = NLU_DIR / "data"
CONFIG = NLU_DIR / "config.yml"
STOCK_CONFIG = NLU_DIR / "stock_config.yml"
MODELS_DIR = NLU_DIR / "models"
MODEL_NAME = "tawasul"
# TAWASUL_NLU_MODEL: another trained model file to serve (tests serve a stand-in).
MODEL = Path(os.environ.get("TAWASUL_NLU_MODEL") or MODELS_DIR / f"{MODEL_NAME}.tar.gz")
MODEL_STAMP = MODELS_DIR / ".stamp-model"  # hash of what the model was trained from
HELDOUT = NLU_DIR / "tests" / "heldout.yml"
# Real-traffic-like messages (off-topic, near misses, emergencies, 4 languages): never trained on.
ROBUSTNESS = NLU_DIR / "tests" / "robustness.yml"
BLIND = NLU_DIR / "tests" / "blind.yml"
LOCK = NLU_DIR / "requirements.lock"
SETUP_SCRIPT = NLU_DIR / "setup_env.sh"
# Code the trained model depends on: a change retrains.
COMPONENT_CODE = tuple(
    NLU_DIR / name
    for name in (
        "rasa_components.py",
        "e5_gate.py",
        "normalize.py",
        "entities.py",
        "entity_words.py",
        "langid.py",
        "langid_nb.py",
        "latin_model.py",
    )
)


def venv_dir() -> Path:
    """The NLU's virtual environment (Rasa 3.6 on Python 3.10)."""
    return Path(os.environ.get("TAWASUL_NLU_VENV") or REPO / ".venv-nlu")


def rasa_executable() -> Path:
    return venv_dir() / "bin" / "rasa"


def rasa_env() -> dict[str, str]:
    """Environment for running Rasa offline and quietly, with our components importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_ENABLE_ONEDNN_OPTS="0",
        PYTHONWARNINGS="ignore",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        # Rasa 3 caches training results under the working directory: keep nothing.
        RASA_MAX_CACHE_SIZE="0",
        # BLAS gets one thread: its idle workers spin and gave parses of 100 ms (2-3 % of them).
        # OpenMP is the e5 engine's: up to two cores for the one embedding a parse needs.
        OPENBLAS_NUM_THREADS=env.get("OPENBLAS_NUM_THREADS", "1"),
        OMP_NUM_THREADS=env.get("OMP_NUM_THREADS") or str(max(1, min(2, os.cpu_count() or 1))),
        MKL_NUM_THREADS=env.get("MKL_NUM_THREADS", "1"),
        # After each parse OpenMP's workers spin, waiting for more work, on cores the `serve` process needs:
        # on 2 cores that halved what the bot as a whole could answer. Passive workers sleep at once (a parse
        # alone is slower, the service as a whole faster: README, "Load benchmark").
        OMP_WAIT_POLICY=env.get("OMP_WAIT_POLICY", "PASSIVE"),
    )
    env.pop("VIRTUAL_ENV", None)
    return env
