#!/bin/sh
# System packages the project uses beyond Python:
#   tesseract-ocr + tesseract-ocr-nor  OCR of scanned pages (the product)
#   chromium                           headless browser the report test opens the HTML report in (tests only)
# Idempotent: does nothing when they are there. Needs root (or sudo) to install.
set -e
missing=""
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx nor; then
    missing="$missing tesseract-ocr tesseract-ocr-nor"
fi
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $missing >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $missing >/dev/null
}
tesseract --list-langs 2>/dev/null | grep -qx nor
command -v chromium >/dev/null
