#!/bin/sh
# System packages the pipeline uses beyond Python: Tesseract with its Norwegian model (OCR of scans).
# Idempotent: does nothing when they are there. Needs root (or sudo) to install.
set -e
if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nor; then
    exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q tesseract-ocr tesseract-ocr-nor >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q tesseract-ocr tesseract-ocr-nor >/dev/null
}
tesseract --list-langs 2>/dev/null | grep -qx nor
