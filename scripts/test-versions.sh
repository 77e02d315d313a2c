#!/usr/bin/env bash
# The live-mode tier on other PostgreSQL majors: DDL/live agreement on every fixture and the fix round trip, against
# PostgreSQL 13 and 18 from the npm devDependencies `postgres-13` / `postgres-18` (real server binaries; users of the package never install them).
# The main tier (`npm test`) runs on the machine's PostgreSQL (Debian's 15 here).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for major in 13 18; do
  bin="$PWD/node_modules/postgres-$major/native/bin"
  if [ ! -x "$bin/initdb" ]; then
    echo "test-versions: PostgreSQL $major not installed (devDependency postgres-$major); skipped"
    continue
  fi
  # The server runs as an unprivileged user when we are root: it must be able to read the binaries.
  if [ "$(id -u)" = 0 ] && ! runuser -u "${SCHEMA_LINT_PG_OS_USER:-postgres}" -- "$bin/postgres" --version >/dev/null 2>&1; then
    echo "test-versions: PostgreSQL $major binaries are not executable by ${SCHEMA_LINT_PG_OS_USER:-postgres} (folder permissions); skipped"
    continue
  fi
  echo "test-versions: PostgreSQL $major"
  SCHEMA_LINT_PG_BIN="$bin" NODE_OPTIONS=--experimental-vm-modules npx jest test/agreement.test.ts test/fix-roundtrip.test.ts -t 'fixture|fix round trip' || status=1
done
exit $status
