#!/bin/bash
# A runnable snapshot of one commit, for A/B benchmark runs while other work goes on in the checkout:
#   bench/lib/ab-snapshot.sh NAME COMMIT [PATCH]   ->  $AB_DIR/NAME (default AB_DIR=/tmp/ringkv-ab)
# The tree is `git archive COMMIT` (plus PATCH applied, for "B = A + this change"), with the workspace's
# node_modules linked in and the current bench/ copied over, so both sides run the same harness.
set -euo pipefail
name=$1
commit=$2
patch=${3:-}
root=$(git rev-parse --show-toplevel)
dir=${AB_DIR:-/tmp/ringkv-ab}/$name
rm -rf "$dir"
mkdir -p "$dir"
git -C "$root" archive "$commit" | tar -x -C "$dir"
if [ -n "$patch" ]; then (cd "$dir" && git apply "$patch"); fi
rm -rf "$dir/bench"
cp -a "$root/bench" "$dir/bench"
ln -s "$root/node_modules" "$dir/node_modules"
for package in "$root"/packages/*/; do
  base=$(basename "$package")
  if [ -d "$package/node_modules" ]; then cp -a "$package/node_modules" "$dir/packages/$base/node_modules"; fi
done
echo "$dir"
