#!/usr/bin/env bash
# Regenerates PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt of every project under src/ from the code, so the public API
# analyzers (RS0016: public API not recorded, RS0017: recorded API gone) pass again after a deliberate API change or a merge.
#
#   eng/update-public-api.sh          record the difference from PublicAPI.Shipped.txt in PublicAPI.Unshipped.txt:
#                                     new public API as lines, Shipped entries that no longer exist as *REMOVED* lines
#                                     (Unshipped is rebuilt from scratch, so stale entries disappear too)
#   eng/update-public-api.sh --ship   then fold Unshipped into Shipped (Shipped = the current public API; Unshipped empty)
#
# Review the diff of src/*/PublicAPI.*.txt before committing: every line there is a public API promise.
# Needs only the .NET SDK (dotnet format ships with it). Takes a few minutes: two builds and one analyzer pass per project.
set -euo pipefail
cd "$(dirname "$0")/.."

ship=false
case "${1:-}" in
  "") ;;
  --ship) ship=true ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--ship]" >&2; exit 2 ;;
esac

header='#nullable enable'
projects=(src/*/*.csproj)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A throwaway solution of the src projects only: one restore, build and analyzer pass for all of them.
dotnet new sln --name PublicApi --output "$work" --format sln >/dev/null
dotnet sln "$work/PublicApi.sln" add "${projects[@]}" >/dev/null

# 1. Unshipped restarts empty (re-derived below as: public API now minus Shipped); missing files are created.
for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  [[ -f "$dir/PublicAPI.Shipped.txt" ]] || echo "$header" > "$dir/PublicAPI.Shipped.txt"
  echo "$header" > "$dir/PublicAPI.Unshipped.txt"
done

# 2. Shipped entries the code no longer has (RS0017) become *REMOVED* entries of Unshipped. The build log names each
#    one by file and line; warnings are not errors for this build only.
echo "update-public-api: building the src projects to find recorded API that is gone (RS0017)..."
dotnet build "$work/PublicApi.sln" -nologo -tl:off -v:m -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= > "$work/build.log" 2>&1 || {
  grep -E ': error ' "$work/build.log" | sort -u >&2 || cat "$work/build.log" >&2
  echo "update-public-api: the build failed (compile errors above are not about the public API files); fix them first." >&2
  exit 1
}
{ grep -oE '[^ ]*/PublicAPI\.Shipped\.txt\([0-9]+,[0-9]+\): warning RS0017' "$work/build.log" || true; } | sort -u |
  while IFS= read -r hit; do
    file=${hit%%(*}
    line=${hit#*(}; line=${line%%,*}
    entry=$(sed -n "${line}p" "$file")
    echo "*REMOVED*${entry}" >> "$(dirname "$file")/PublicAPI.Unshipped.txt"
  done

# 3. Public API the files do not record (RS0016) is added to Unshipped by the analyzer's own code fix. One project at a
#    time: run on a whole solution, dotnet format writes the fixes of only one project's PublicAPI file.
for project in "${projects[@]}"; do
  echo "update-public-api: recording new public API (RS0016) of $project..."
  dotnet format analyzers "$project" --no-restore --diagnostics RS0016 --severity warn
done

# 4. --ship: Shipped becomes the current public API, Unshipped empty.
if [[ "$ship" == true ]]; then
  for project in "${projects[@]}"; do
    dir=$(dirname "$project")
    shipped="$dir/PublicAPI.Shipped.txt"
    unshipped="$dir/PublicAPI.Unshipped.txt"
    grep -v -x -F "$header" "$unshipped" | grep '^\*REMOVED\*' | sed 's/^\*REMOVED\*//' > "$work/removed" || true
    grep -v -x -F "$header" "$unshipped" | grep -v '^\*REMOVED\*' > "$work/added" || true
    { echo "$header"
      { grep -v -x -F "$header" "$shipped" | grep -v -x -F -f "$work/removed" || true; cat "$work/added"; } | { grep -v '^$' || true; } | LC_ALL=C sort -u
    } > "$work/shipped"
    mv "$work/shipped" "$shipped"
    echo "$header" > "$unshipped"
  done
fi

# 5. Check: the real build (warnings are errors) must now be clean of RS0016/RS0017.
echo "update-public-api: checking..."
if ! dotnet build "$work/PublicApi.sln" -nologo -tl:off -v:m > "$work/check.log" 2>&1; then
  grep -E ': (error|warning) ' "$work/check.log" | sort -u >&2
  echo "update-public-api: the build still fails; see above." >&2
  exit 1
fi
git status --short -- 'src/*/PublicAPI.*.txt'
echo "update-public-api: done; review the diff of src/*/PublicAPI.*.txt."
