#!/usr/bin/env bash
# Starts the four-hospital `local` network (zombienet.toml) with zombienet's native provider.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$EHR_ROOT"
bash scripts/setup.sh
bash scripts/build.sh
export EHR_NODE
exec zombienet spawn --provider native zombienet.toml
