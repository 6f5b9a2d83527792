#!/usr/bin/env bash
# Builds and lints infra/bicep/main.bicep (and, through it, every module) with the Bicep CLI; any warning fails.
#
# The CLI comes from NuGet: Azure.Bicep.CommandLine.linux-x64 ships the `bicep` binary in tools/. A throwaway
# project under the git-ignored .tools/ dir restores it into the NuGet global packages folder (kept between
# clones, so a second run, or a fresh clone on the same machine, skips the restore).
# infra/bicep/bicepconfig.json raises the linter rules to errors; the output is also checked for any
# "Warning"/"Error" line, so compiler warnings (BCPxxx) fail too.
set -euo pipefail
cd "$(dirname "$0")/.."

# --out FILE keeps the compiled ARM template (the template tests read it); without it the build goes nowhere.
template=/dev/null
if [[ "${1:-}" == "--out" && -n "${2:-}" ]]; then
  template="$2"
fi

version=0.49.2
package=azure.bicep.commandline.linux-x64
tools=.tools/bicep
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The global packages folder: $NUGET_PACKAGES, else the default, else whatever a NuGet.Config says.
packages_dir() {
  if [[ -n "${NUGET_PACKAGES:-}" ]]; then
    echo "${NUGET_PACKAGES%/}"
  elif [[ -d "$HOME/.nuget/packages/$package/$version" ]]; then
    echo "$HOME/.nuget/packages"
  else
    dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//; s:/*$::'
  fi
}

bicep="$(packages_dir)/$package/$version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  mkdir -p "$tools"
  cat > "$tools/restore.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
PROJECT
  # Keep the repository's Directory.Build.*/Directory.Packages.props out of this throwaway project.
  dotnet restore "$tools/restore.csproj" --verbosity quiet \
    -p:ImportDirectoryBuildProps=false -p:ImportDirectoryBuildTargets=false -p:ImportDirectoryPackagesProps=false
  bicep="$(packages_dir)/$package/$version/tools/bicep"
  [[ -f "$bicep" ]] || { echo "bicep: $bicep not found after restore" >&2; exit 1; }
fi
[[ -x "$bicep" ]] || chmod +x "$bicep"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

status=0
echo "bicep: $("$bicep" --version)"
"$bicep" build infra/bicep/main.bicep --stdout > "$template" 2>> "$out" || status=$?
"$bicep" lint infra/bicep/main.bicep >> "$out" 2>&1 || status=$?
if [[ $status -ne 0 ]] || grep -Eiq '\b(warning|error)\b' "$out"; then
  cat "$out"
  echo "bicep: build or lint reported problems (warnings are failures)" >&2
  exit 1
fi
echo "bicep: build and lint clean (0 warnings, 0 errors)"
