"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test downloads get-pip-<version>.py from ci-files.testing.ansible.com, which this
network does not reach. This script does the same job with what Python ships (ensurepip) and
PyPI: it installs the pip, setuptools and wheel versions ansible-test asks for.
"""

import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade", *args])  # noqa: S603
