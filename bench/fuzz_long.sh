#!/usr/bin/env bash
# The long fuzz: every phase including schemathesis' stateful phase, more examples per operation.
# CI runs the bounded one (contract/run); report this run's counts in the issue note.
# Usage: bash bench/fuzz_long.sh [max-examples, default 100]   (CONTRACT_DATABASE_URL selects PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_MAX_EXAMPLES="${1:-100}" bash contract/run
