"""Work moto does on every call that the collection's requests never need, done once or on demand instead.

Nothing here changes an answer: the same template gives the same dict, a key signs with a key pair as before. Found
by profiling the test suite (py-spy over every process): the emulator spent about a third of its CPU here.
"""

from __future__ import annotations

import copy
import functools
import json
import os

import yaml
from moto.cloudformation.models import ChangeSet, Stack
from moto.cloudformation.utils import yaml_tag_constructor
from moto.kms import models as kms_models

_original_parse_template = Stack.parse_template
_original_generate_private_key = kms_models.generate_private_key


class _TemplateLoader(getattr(yaml, "CLoader", yaml.Loader)):
    """moto's loader (PyYAML's Loader with moto's constructor of the short-form tags) on libyaml's parser."""


_TemplateLoader.add_multi_constructor("", yaml_tag_constructor)


@functools.lru_cache(maxsize=64)
def _parsed_template(template: str) -> dict:
    try:
        return yaml.load(template, Loader=_TemplateLoader)  # noqa: S506 - moto's own choice of loader
    except (yaml.parser.ParserError, yaml.scanner.ScannerError):
        return json.loads(template)


def parse_template(template: str) -> dict:
    """moto parses a template body with PyYAML's pure-Python loader, several times a call (validation, the stack, the
    change set, a comparison) - about 140 ms each for this collection's templates. The same body is parsed once, by
    libyaml (10 ms); each caller gets its own copy, as moto changes the dict it is given."""
    return copy.deepcopy(_parsed_template(template))


def _parse_own_template(self) -> None:
    self.template_dict = parse_template(self.template)


class _KeyPairOnDemand:
    """moto makes an RSA key pair for every KMS key it creates (about 40 ms each), symmetric ones included, for
    Sign, Verify and GetPublicKey, which this collection never calls: the pair is made when one of them first needs
    it."""

    def __init__(self, key_spec: str):
        self._key_spec = key_spec
        self._key = None

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy and pickle probing: not a use of the key
            raise AttributeError(name)
        if self._key is None:
            self._key = _original_generate_private_key(self._key_spec)
        return getattr(self._key, name)


def install() -> None:
    Stack.parse_template = staticmethod(parse_template)
    Stack._parse_template = _parse_own_template
    ChangeSet._parse_template = _parse_own_template
    kms_models.generate_private_key = _KeyPairOnDemand
    # moto loads its list of public AMIs into every region's EC2 backend (created again at each reset); the data
    # tier launches no instance, so no AMI is looked up.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
