# Shared by the bench scripts (sourced from the project root): building refsim and reading figures.

# release_build DIR: configures DIR as a Release build without tests and builds the refsim tool.
release_build() {
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFSIM_BUILD_TESTS=OFF >/dev/null
  cmake --build "$1" --target refsim >/dev/null
}

# field FILE KEY: the first number given for "KEY" in a JSON file (run.json, summary.json, …).
field() { grep "\"$2\"" "$1" | head -1 | sed -E 's/.*: *([0-9.eE+-]+).*/\1/'; }
