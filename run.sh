#!/usr/bin/env bash
# The main job: build sockbridge and run its built-in benchmark, unix vs tcp
# vs unix->relay->tcp on the line-echo workload (a minute or two). Extra
# arguments go to "sockbridge bench", e.g. ./run.sh --compare socat.
set -eu
cd "$(dirname "$0")"
bash scripts/install-deps	# build only: a compiler, make, libc headers
make -s
exec build/sockbridge bench "$@"
