#!/usr/bin/env bash
# Creates .venv-uno: a venv on Debian's python3 (which can `import uno`) holding unoserver, so the
# app can keep a warm LibreOffice per worker for DOCX/XLSX -> PDF. Idempotent. Without LibreOffice's
# python3-uno it explains and, for the profile "run", exits 0: the app then converts with a cold
# `soffice` per document. For "test" (`make test`) that is fatal: the tests need the warm converter.
set -euo pipefail
profile="${1:-run}"
cd "$(dirname "$0")/.."

system_python="${UNO_SYSTEM_PYTHON:-/usr/bin/python3}"  # Debian's python3, which has python3-uno
venv=.venv-uno
spec="unoserver>=3.7,<4"

if ! [ -x "$system_python" ] || ! "$system_python" -c "import uno" >/dev/null 2>&1; then
  if [ "$profile" = test ]; then
    echo "setup-uno: $system_python cannot import uno: the tests need $venv" \
         "(install libreoffice-writer-nogui python3-uno as root, or run scripts/system-packages.sh test)." >&2
    exit 1
  fi
  echo "setup-uno: $system_python cannot import uno (install libreoffice-writer-nogui python3-uno);" \
       "skipping $venv - PDFs will be made with a slower cold soffice per document." >&2
  exit 0
fi

if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$spec" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
import uno  # noqa: F401  (the venv must still see the system site-packages)
major, minor = (int(part) for part in version("unoserver").split(".")[:2])
sys.exit(0 if (3, 7) <= (major, minor) < (4, 0) else 1)
PY
then
  exit 0
fi

echo "setup-uno: creating $venv with $spec"
rm -rf "$venv"
"$system_python" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
"$venv/bin/python" -c "import uno, unoserver.server" \
  && echo "setup-uno: $venv ready ($("$venv/bin/python" -m pip show unoserver 2>/dev/null | sed -n 's/^Version: /unoserver /p'))"
