#!/usr/bin/env bash
# Installs the Debian packages the platform needs ("run") or its tests need too ("test").
# As root it installs with apt-get; otherwise with passwordless sudo; otherwise it lists what is
# missing and how to install it (fatal for "test", a warning for "run").
set -euo pipefail
profile="${1:-run}"
run_packages=(python3-venv gettext pkg-config default-libmysqlclient-dev
              libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-noto-cjk poppler-utils
              nodejs npm)
test_packages=(chromium mariadb-server redis-server)
wanted=("${run_packages[@]}")
[ "$profile" = test ] && wanted+=("${test_packages[@]}")

# Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's npm, or nvm)
# serves as well: these two count as present when their command is.
declare -A command_of=([nodejs]=node [npm]=npm)

missing=()
for package in "${wanted[@]}"; do
  if [ -n "${command_of[$package]:-}" ] && command -v "${command_of[$package]}" >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -eq 0 ]; then
  can_install=yes
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  can_install=yes; as_root=(sudo -n)
else
  can_install=no
fi
command -v apt-get >/dev/null 2>&1 || can_install=no

if [ "$can_install" = no ]; then
  echo "缺少系统软件包 / missing system packages: ${missing[*]}" >&2
  echo "请以 root 安装 / install them as root:  apt-get install --no-install-recommends ${missing[*]}" >&2
  [ "$profile" = test ] && exit 1
  echo "(没有 LibreOffice 时无法生成 PDF / without LibreOffice no PDFs can be made)" >&2
  exit 0
fi
echo "安装系统软件包 / installing: ${missing[*]}"
# Through env: sudo drops the caller's environment, and a prompt would hang an unattended install.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
