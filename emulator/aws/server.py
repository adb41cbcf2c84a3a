"""The AWS emulator process: moto server, our extensions, and the test-control middleware.

Run as ``python -m emulator.aws.server --port-file FILE``; it binds a free loopback
port and writes it to FILE once it accepts connections.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import signal
import sys

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from emulator import launcher
from emulator.aws import extensions, network
from emulator.aws.control import ControlMiddleware


def build_app():
    extensions.install()
    network.install()
    return ControlMiddleware(DomainDispatcherApplication(create_backend_app), moto_api_backend.reset)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    # Lambda functions run by the emulator (lambda_runtime.py) call back into it.
    os.environ["EMULATOR_AWS_URL"] = f"http://{args.host}:{server.server_address[1]}"
    port_file = pathlib.Path(args.port_file)
    os.environ["EMULATOR_STATE_DIR"] = str(port_file.parent)
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(server.server_address[1]))
    os.replace(tmp, port_file)

    def shutdown(signum, frame):
        launcher.stop_postgres(port_file.parent)  # the PostgreSQL servers would outlive us
        sys.exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    server.serve_forever()


if __name__ == "__main__":
    main()
