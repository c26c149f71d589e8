#!/bin/bash
# run_check.sh: the program tests again under `buffervm check` (run.sh --check): a program without
# heap bugs runs as natively, the checker adding nothing. Leaks are left out here (--leak-check=no:
# Debian's tools leak at exit, and memcheck says so too); the check tier (tests/check) judges them.
exec bash "$(dirname "$0")/run.sh" --check "$@"
