"""Run localstripe (the stateful fake Stripe server) for the tests: on 127.0.0.1 only, on the given port, with
its state file in the given folder (localstripe itself always writes /tmp/localstripe.pickle and listens on
every interface).

    python -m tests.localstripe_server PORT STATE_DIR
"""

from __future__ import annotations

import logging
import pickle
import sys
from pathlib import Path


def main() -> None:
    port, state_dir = int(sys.argv[1]), Path(sys.argv[2])
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / "localstripe.pickle"

    from localstripe import resources

    def dump_to_disk(self):
        with open(state_file, "wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.dump_to_disk = dump_to_disk

    from aiohttp import web
    from localstripe.server import app

    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
