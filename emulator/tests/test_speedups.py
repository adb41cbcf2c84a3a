"""What emulator/aws/speedups.py does once or on demand gives the answers moto gave: a template parsed once is a
fresh dict for each caller, and a KMS key made without its key pair still signs when asked
(https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html)."""

from __future__ import annotations

import pathlib

import pytest

from emulator.aws import speedups

TEMPLATES = sorted((pathlib.Path(__file__).resolve().parents[2] / "roles").glob("*/files/*.yaml"))


@pytest.mark.parametrize("path", TEMPLATES, ids=[path.name for path in TEMPLATES])
def test_libyaml_reads_each_template_as_moto_reads_it(path):
    body = path.read_text()
    assert speedups.parse_template(body) == speedups._original_parse_template(body)


def test_a_json_template_is_read_as_moto_reads_it():
    body = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {}}'
    assert speedups.parse_template(body) == speedups._original_parse_template(body)


def test_a_parsed_template_is_a_fresh_copy_for_each_caller():
    body = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::Region}'\n"
    first = speedups.parse_template(body)
    first["Resources"]["Topic"]["Properties"]["TopicName"] = "changed by moto"
    second = speedups.parse_template(body)
    assert second["Resources"]["Topic"]["Properties"]["TopicName"] == {"Fn::Sub": "${AWS::Region}"}
    assert second is not first


def test_a_key_pair_is_made_when_a_signature_needs_it(client):
    kms = client("kms")
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = kms.sign(
        KeyId=key_id, Message=b"model-registry", MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )["Signature"]
    verified = kms.verify(
        KeyId=key_id,
        Message=b"model-registry",
        MessageType="RAW",
        Signature=signature,
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )
    assert verified["SignatureValid"] is True
    assert len(kms.get_public_key(KeyId=key_id)["PublicKey"]) > 256  # a DER-encoded 2048-bit public key


def test_a_symmetric_key_encrypts_without_a_key_pair(client):
    kms = client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
