#!/usr/bin/env bash
# Debian packages Ordo needs besides Python's. Always: Pango for WeasyPrint's PDFs, DejaVu fonts
# (Latin, Cyrillic) for the documents, poppler-utils' pdftotext to read the PDFs back, gettext to
# compile the translations, Graphviz to draw workflow diagrams in the desk. With "browser": Debian's
# Chromium for the browser tests. Installs only what is missing, and only as root (elsewhere it
# names what to install).
set -euo pipefail

wanted=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext graphviz)
if [ "${1:-}" = "browser" ]; then
  wanted+=(chromium fonts-liberation)
fi
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Ordo needs these Debian packages: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
