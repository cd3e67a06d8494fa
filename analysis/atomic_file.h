// AtomicFile: a file that appears complete or not at all. Writes go to a
// temporary file next to the target (`.NAME.tmp-<pid>`, same directory, so the
// final rename stays on one file system and is atomic); commit() renames it
// over the target, discard() removes it. A file neither committed nor
// discarded is discarded when the AtomicFile is destroyed, so an error or an
// interrupted run never leaves a half-written output behind.
//
//   auto events = AtomicFile::open(dir / "events.jsonl");
//   if (!events) return fail(events.error().message);
//   events->stream() << "...";
//   if (auto done = events->commit(); !done) return fail(done.error().message);
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string_view>

#include "sim/expected.h"

namespace kubesim {

class AtomicFile {
 public:
  // Creates (truncates) the temporary file. Errors name the path and reason.
  static Expected<AtomicFile> open(const std::filesystem::path& path);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  // The temporary file's stream. Its address is stable across moves.
  std::ostream& stream() { return *out_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  // Neither committed nor discarded yet.
  bool pending() const { return pending_; }

  // Flushes, closes and renames the temporary file to path(). On an error
  // (a failed write, e.g. a full disk, or the rename) the temporary file is
  // removed and nothing is renamed. Returns path().
  Expected<std::filesystem::path> commit();
  // Closes and removes the temporary file; the target is left as it was.
  void discard();

 private:
  AtomicFile() = default;

  std::filesystem::path path_;
  std::filesystem::path temp_;
  std::unique_ptr<std::ofstream> out_;
  bool pending_ = false;
};

// Writes `content` to `path` through an AtomicFile.
Expected<std::filesystem::path> write_file_atomically(const std::filesystem::path& path,
                                                      std::string_view content);

}  // namespace kubesim
