#!/usr/bin/env bash
# Installs the Bicep CLI from NuGet (the package ships the binary) and builds and lints main.bicep.
# Any warning fails: bicepconfig.json raises the analyzer rules to errors, and the output is checked as well.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.49.2
tools=.tools/bicep
bicep="${NUGET_PACKAGES:-$HOME/.nuget/packages}/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [[ ! -x "$bicep" ]]; then
  mkdir -p "$tools"
  cat > "$tools/restore.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" /></ItemGroup>
</Project>
PROJECT
  dotnet restore "$tools/restore.csproj" --verbosity quiet
  chmod +x "$bicep"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bicep" build infra/bicep/main.bicep --stdout > /dev/null 2> "$out" || { cat "$out"; exit 1; }
"$bicep" lint infra/bicep/main.bicep >> "$out" 2>&1 || { cat "$out"; exit 1; }
if grep -Eiq 'warning|error' "$out"; then
  cat "$out"
  echo "bicep: warnings are failures" >&2
  exit 1
fi
echo "bicep: build and lint clean"
