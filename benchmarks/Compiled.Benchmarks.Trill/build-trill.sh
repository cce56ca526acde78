#!/usr/bin/env bash
# Builds Microsoft's Trill (the Microsoft.StreamProcessing library) from source, at a pinned commit, for the Trill
# comparison in benchmarks/Compiled.Benchmarks.Trill. Trill is not a dependency of Compiled and its source is not kept
# in this repository: this script fetches it from GitHub into a cache directory and builds its core library there.
#   benchmarks/Compiled.Benchmarks.Trill/build-trill.sh [--out DIR] [--git-dir DIR]
# --out DIR      where the source is unpacked and built (default ~/.cache/compiled-benchmarks/trill-<commit>)
# --git-dir DIR  take the commit from a local clone (bare or not) instead of downloading the archive from GitHub
# Prints the path of the built Microsoft.StreamProcessing.dll (the benchmark project's TrillDll property).
#
# Trill's own project targets netstandard2.0 with Microsoft.CodeAnalysis.Scripting 3.1.0, which the package feed this
# was set up on no longer serves; the project written below builds the same sources for netstandard2.0 against
# Microsoft.CodeAnalysis.CSharp.Scripting 4.14.0 (the Roslyn version the repository pins) and
# System.Runtime.CompilerServices.Unsafe 6.1.2, with Trill's own defines (COLUMNAR, BITVECTOR, ...), its
# strong-name key, and its warnings not treated as errors (the newer compiler reports more of them).
set -euo pipefail
commit=b3d6b9bb48fad935d3a862ef0a0b072b80a647fb   # microsoft/Trill master, 2024-01-08
out=""
gitdir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --git-dir) gitdir="$2"; shift 2 ;;
    *) echo "Unknown argument '$1'. Usage: build-trill.sh [--out DIR] [--git-dir DIR]" >&2; exit 2 ;;
  esac
done
out="${out:-${HOME}/.cache/compiled-benchmarks/trill-$commit}"
src="$out/src"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [[ ! -d "$src/Sources/Core/Microsoft.StreamProcessing" ]]; then
  mkdir -p "$src"
  if [[ -n "$gitdir" ]]; then
    echo "Unpacking Trill $commit from $gitdir into $src..." >&2
    git --git-dir="$gitdir" archive "$commit" Sources/Core Sources/TrillKey.snk Sources/CommonAssemblyInfo.cs | tar -x -C "$src"
  else
    echo "Downloading Trill $commit from GitHub into $src..." >&2
    curl -fsSL "https://github.com/microsoft/Trill/archive/$commit.tar.gz" \
      | tar -xz -C "$src" --strip-components=1 "Trill-$commit/Sources/Core" "Trill-$commit/Sources/TrillKey.snk" "Trill-$commit/Sources/CommonAssemblyInfo.cs"
  fi
fi

# A project of our own beside Trill's sources (outside this repository, so none of its Directory.*.props apply).
project="$out/build/Microsoft.StreamProcessing.csproj"
mkdir -p "$out/build"
cat > "$out/build/Directory.Build.props" <<'PROPS'
<Project />
PROPS
cat > "$out/build/Directory.Packages.props" <<'PROPS'
<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>
PROPS
cat > "$project" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <AssemblyName>Microsoft.StreamProcessing</AssemblyName>
    <RootNamespace>Microsoft.StreamProcessing</RootNamespace>
    <LangVersion>latest</LangVersion>
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
    <DefineConstants>\$(DefineConstants);BINARYMERGE;COLUMNAR;BITVECTOR;MULTICORE_GA</DefineConstants>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <NoWarn>\$(NoWarn);CS1591;CS0618;CS8032;NU1603;NU1701</NoWarn>
    <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
    <SignAssembly>true</SignAssembly>
    <PublicSign>true</PublicSign>
    <AssemblyOriginatorKeyFile>$src/Sources/TrillKey.snk</AssemblyOriginatorKeyFile>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="$src/Sources/Core/Microsoft.StreamProcessing/**/*.cs" />
    <Compile Include="$src/Sources/CommonAssemblyInfo.cs" />
  </ItemGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.CSharp" Version="4.7.0" />
    <PackageReference Include="Microsoft.CodeAnalysis.CSharp.Scripting" Version="4.14.0" />
    <PackageReference Include="System.Runtime.CompilerServices.Unsafe" Version="6.1.2" />
    <PackageReference Include="System.Diagnostics.Contracts" Version="4.3.0" />
    <PackageReference Include="System.Runtime.Loader" Version="4.3.0" />
  </ItemGroup>
</Project>
PROJECT

echo "Building Trill (Release, netstandard2.0)..." >&2
dotnet build "$project" -c Release -o "$out/bin" 2>&1 | grep -E " error |rror\(s\)|Warn" | sort -u | head -40 >&2
dll="$out/bin/Microsoft.StreamProcessing.dll"
if [[ ! -f "$dll" ]]; then
  echo "Trill did not build: no $dll. Run 'dotnet build $project -c Release' to see every message." >&2
  exit 1
fi
echo "$dll"
