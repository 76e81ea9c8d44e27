"""Write openapi.yaml for openapi-python-client so that anonymous reads take a plain `Client`.

The schema declares a read that needs no credentials as `security: [{}, {systemKey: []}, ...]` (OpenAPI 3.0: the
empty requirement means anonymous access is allowed). openapi-python-client 0.29.1 reads any non-empty `security` as
"needs credentials" and types the operation for `AuthenticatedClient` only (its open issue #1372). Dropping
`security` from those operations (the schema has no top-level `security`) gives `AuthenticatedClient | Client`,
which is what they mean. Writes and signed-in reads keep their requirements.

Usage (contract/run does this): python contract/optional_auth.py openapi.yaml <output.yaml>
"""

import sys

import yaml


def optional_auth(schema: dict) -> int:
    """Drop `security` where it allows anonymous access; the number of operations changed."""
    assert "security" not in schema, "a top-level requirement would apply to the operations left without one"
    changed = 0
    for methods in schema["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and {} in operation.get("security", []):
                del operation["security"]
                changed += 1
    return changed


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as file:
        schema = yaml.safe_load(file)
    changed = optional_auth(schema)
    with open(target, "w", encoding="utf-8") as file:
        yaml.safe_dump(schema, file, allow_unicode=True, sort_keys=False)
    print(f"ok   {changed} anonymous reads typed for a plain Client (openapi-python-client)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
