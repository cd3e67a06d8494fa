#include "analysis/atomic_file.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>
#include <catch2/catch.hpp>

using namespace kubesim;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test: tests run in parallel processes.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("kubesim-atomic-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  int entries() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(path))
      ++n;
    return n;
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("atomic file: writes go to a hidden temp file until commit renames it") {
  TempDir dir;
  const fs::path target = dir.path / "events.jsonl";
  auto f = AtomicFile::open(target);
  REQUIRE(f);
  CHECK(f->temp_path() == dir.path / (".events.jsonl.tmp-" + std::to_string(::getpid())));
  f->stream() << "line 1\n";
  CHECK(fs::exists(f->temp_path()));
  CHECK_FALSE(fs::exists(target));
  auto done = f->commit();
  REQUIRE(done);
  CHECK(*done == target);
  CHECK(read(target) == "line 1\n");
  CHECK_FALSE(fs::exists(f->temp_path()));
  CHECK(dir.entries() == 1);
  CHECK_FALSE(f->pending());
  CHECK_FALSE(f->commit());  // twice is an error
}

TEST_CASE("atomic file: discard removes the temp file and leaves the target alone") {
  TempDir dir;
  const fs::path target = dir.path / "summary.json";
  REQUIRE(write_file_atomically(target, "old"));
  auto f = AtomicFile::open(target);
  REQUIRE(f);
  f->stream() << "half-writ";
  f->discard();
  CHECK_FALSE(fs::exists(f->temp_path()));
  CHECK(read(target) == "old");
  CHECK(dir.entries() == 1);
}

TEST_CASE("atomic file: destroyed without commit, nothing is left") {
  TempDir dir;
  {
    auto f = AtomicFile::open(dir.path / "events.jsonl");
    REQUIRE(f);
    f->stream() << "partial";
    AtomicFile moved = std::move(*f);  // the move carries the duty to clean up
    CHECK(moved.pending());
  }
  CHECK(dir.entries() == 0);
}

TEST_CASE("atomic file: commit replaces an existing file") {
  TempDir dir;
  const fs::path target = dir.path / "summary.json";
  REQUIRE(write_file_atomically(target, "first"));
  REQUIRE(write_file_atomically(target, "second"));
  CHECK(read(target) == "second");
  CHECK(dir.entries() == 1);
}

TEST_CASE("atomic file: a missing directory is an error naming the path") {
  TempDir dir;
  auto f = AtomicFile::open(dir.path / "no-such-dir" / "events.jsonl");
  REQUIRE_FALSE(f);
  CHECK_THAT(f.error().message, Catch::Contains("no-such-dir"));
}
