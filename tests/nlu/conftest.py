"""A real Rasa NLU server for the integration tests, shared by the session.

Skipped ONLY when the NLU environment (.venv-nlu, Rasa 3.6 on Python 3.10) is absent, and then loudly:
`make test` builds it, so CI always runs these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nlu import paths


@pytest.fixture(scope="session")
def nlu_url() -> Iterator[str]:
    if not paths.rasa_executable().exists():
        pytest.skip(
            f"!!! NLU ENVIRONMENT MISSING at {paths.venv_dir()}: the Rasa server tests did NOT run. "
            "Build it with `bash nlu/setup_env.sh` (make test does) !!!"
        )
    from nlu.server import running_server
    from nlu.train import train

    train()
    with running_server() as url:
        yield url
