# The browser tests (tests/browser/run.sh) as a ctest test: headless Chromium drives the console.
exec bash "$(dirname "$0")/../browser/run.sh" "$@"
